import subprocess, os, time, socket, shutil
def cli(port,*a): return subprocess.run(['redis-cli','-p',str(port)]+list(a),capture_output=True,text=True,timeout=5).stdout
def oneshot(text, cmds, port, name):
    d='/tmp/sc/run/'+name
    shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
    f=d+'/sentinel.conf'
    open(f,'w').write(text.replace('{PORT}',str(port)))
    shutil.chown(d,'redis','redis'); shutil.chown(f,'redis','redis')
    p=subprocess.Popen(['setpriv','--reuid=redis','--regid=redis','--clear-groups','redis-server',f,'--sentinel'],cwd=d,stdout=subprocess.PIPE,stderr=subprocess.PIPE)
    for i in range(60):
        try: socket.create_connection(('127.0.0.1',port),timeout=0.2).close(); break
        except OSError: time.sleep(0.05)
    os.chmod(d,0o555)
    reps=[cli(port,*c) for c in cmds]
    os.chmod(d,0o755)
    reps.append(cli(port,'sentinel','flushconfig'))
    conf=open(f).read()
    cli(port,'shutdown','nosave'); p.wait(timeout=5)
    return reps, conf
if __name__=='__main__':
    ID='0123456789abcdef0123456789abcdef01234567'
    cmds=[('sentinel','set','mymaster','down-after-milliseconds','5000','failover-timeout','60000','parallel-syncs','3','auth-pass','pw','auth-user','u','master-reboot-down-after-period','100','rename-command','CONFIG','XCONFIG','quorum','3','notification-script','/bin/true'),
    ('sentinel','config','set','announce-ip','10.1.1.1'),('sentinel','config','set','announce-port','1234'),('sentinel','config','set','sentinel-user','su'),('sentinel','config','set','sentinel-pass','sp'),('sentinel','config','set','resolve-hostnames','yes'),('sentinel','config','set','announce-hostnames','yes'),
    ]
    reps,conf=oneshot('# leading comment\nport {PORT}\n\n\n# another\nsentinel myid '+ID+'\nsentinel deny-scripts-reconfig no\nsentinel monitor mymaster 127.0.0.1 6390 2\n',cmds,27040,'oneshot1')
    print(reps); print(conf)
