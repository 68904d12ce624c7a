import subprocess, sys, os, time, json, socket
BASE='/tmp/sc/run'
os.makedirs(BASE, exist_ok=True)
_port=[27010]
AUTH=[None]
def cli(port,*args):
    env=dict(os.environ)
    if AUTH[0]: env['REDISCLI_AUTH']=AUTH[0]
    return subprocess.run(['redis-cli','-p',str(port)]+list(args),capture_output=True,text=True,timeout=5,env=env).stdout
def probe(text, port=None, cmds=(('sentinel','flushconfig'),), name=None, keep=False, wait=0.0, base=None):
    """Write text to a conf file, start sentinel. Returns dict(err=..., out=..., conf=...)."""
    if port is None:
        port=_port[0]; _port[0]+=1
        if _port[0]>27099: _port[0]=27010
    text=text.replace('{PORT}',str(port))
    d=os.path.join(base or BASE, name or str(port)); os.makedirs(d,exist_ok=True)
    f=os.path.join(d,'sentinel.conf')
    with open(f,'wb') as fh: fh.write(text.encode('latin1') if isinstance(text,str) else text)
    p=subprocess.Popen(['redis-server',f,'--sentinel'],cwd=d,stdout=subprocess.PIPE,stderr=subprocess.PIPE)
    up=False
    for i in range(60):
        if p.poll() is not None and p.returncode != 0: break
        try:
            s=socket.create_connection(('127.0.0.1',port),timeout=0.2); s.close(); up=True; break
        except OSError: time.sleep(0.05)
    res={}
    if up:
        time.sleep(wait)
        res['replies']=[cli(port,*c) for c in cmds]
        res['conf']=open(f,'rb').read().decode('latin1')
        cli(port,'shutdown','nosave')
        for i in range(50):
            try: socket.create_connection(('127.0.0.1',port),timeout=0.1).close(); time.sleep(0.05)
            except OSError: break
        try: p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill(); p.wait()
    else:
        try: p.wait(timeout=3)
        except subprocess.TimeoutExpired:
            p.kill(); p.wait()
    o,e=p.communicate()
    res['rc']=p.returncode
    res['stderr']=e.decode('latin1'); res['stdout']=o.decode('latin1')
    res['after']=open(f,'rb').read().decode('latin1')
    return res
if __name__=='__main__':
    r=probe(sys.stdin.read())
    print(json.dumps(r,indent=1))
