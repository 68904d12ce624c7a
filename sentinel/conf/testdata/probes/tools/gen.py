import re
defs={}
for l in open('plain/cfg.tsv'):
    p=l.rstrip('\n').split('\t'); defs[p[0]]=p[1] if len(p)>1 else ''
defs.update({'key-load-delay':'0','loading-process-events-interval-bytes':'2097152','lua-enable-deprecated-api':'no','rdb-key-save-delay':'0','use-exit-on-panic':'no','watchdog-period':'0','port':'6379'})
types={}
for l in open('types.txt'):
    n,v,r=l.rstrip('\n').split('\t'); types[n]=r
bounds={}
for f in ('bounds.txt','membounds.txt'):
    for l in open(f):
        n,v,r=l.rstrip('\n').split('\t'); bounds.setdefault(n,{})[v]=r
aliases={'slaveof':'replicaof','slave-serve-stale-data':'replica-serve-stale-data','slave-read-only':'replica-read-only','slave-ignore-maxmemory':'replica-ignore-maxmemory','slave-lazy-flush':'replica-lazy-flush','slave-priority':'replica-priority','slave-announce-ip':'replica-announce-ip','slave-announce-port':'replica-announce-port','min-slaves-to-write':'min-replicas-to-write','min-slaves-max-lag':'min-replicas-max-lag','repl-ping-slave-period':'repl-ping-replica-period','cluster-slave-validity-factor':'cluster-replica-validity-factor','cluster-slave-no-failover':'cluster-replica-no-failover','hash-max-ziplist-entries':'hash-max-listpack-entries','hash-max-ziplist-value':'hash-max-listpack-value','zset-max-ziplist-entries':'zset-max-listpack-entries','zset-max-ziplist-value':'zset-max-listpack-value','list-max-ziplist-size':'list-max-listpack-size'}
special={'bind':'spBind','dir':'spDir','save':'spSave','client-output-buffer-limit':'spCOBL','oom-score-adj-values':'spOOMValues','notify-keyspace-events':'spNotify','replicaof':'spReplicaOf','latency-tracking-info-percentiles':'spPercentiles'}
notnull={'cluster-config-file','ignore-warnings','logfile','syslog-ident','dbfilename','aclfile','appendfilename','appenddirname','proc-title-template'}
unsigned={'maxclients','socket-mark-id','unixsocketperm','maxmemory','cluster-link-sendbuf-limit'}
def between(msg):
    m=re.search(r'between (-?\d+) and (-?\d+) inclusive',msg)
    return (m.group(1),m.group(2)) if m else None
out=[]
for n in sorted(types):
    if n in aliases: continue
    r=types[n]; d=defs.get(n,'')
    q=lambda s: '"'+s.replace('\\','\\\\').replace('"','\\"')+'"'
    if n in special:
        out.append('\t{name: %s, kind: kSpecial, special: %s},'%(q(n),special[n])); continue
    if r=="argument must be 'yes' or 'no'":
        out.append('\t{name: %s, kind: kBool, def: %s},'%(q(n),q(d))); continue
    if r.startswith('argument(s) must be one of the following: '):
        vals=r.split(': ',1)[1].split(', ')
        multi = n.startswith('shutdown-on-')
        out.append('\t{name: %s, kind: kEnum, def: %s, enum: []string{%s}%s},'%(q(n),q(d),', '.join(q(v) for v in vals),', multi: true' if multi else '')); continue
    if r=='OK':
        out.append('\t{name: %s, kind: kString, def: %s%s},'%(q(n),q(d),'' if n in notnull else ', nullable: true')); continue
    flags=[]
    if 'memory' in r: flags.append('fMemory')
    if 'percent' in r: flags.append('fPercent')
    if 'octal' in r: flags.append('fOctal')
    b=bounds[n]
    if 'fMemory' in flags:
        lo = '0' if b.get('0')=='OK' else between(b['0'])[0]
        hi = '18446744073709551615' if b.get('18446744073709551615')=='OK' else between(b['18446744073709551615'])[1]
        if n=='maxmemory-clients': lo,hi='-100','9223372036854775807'
    else:
        bb=between(b['-9223372036854775808']) or between(b['-1']) or between(b['9223372036854775807'])
        if b.get('9223372036854775807')=='OK': hi='9223372036854775807'
        else: hi=between(b['9223372036854775807'])[1] if between(b['9223372036854775807']) else bb[1]
        lo = bb[0] if bb else '-9223372036854775808'
        if b.get('-1')=='OK' and lo=='0': lo='-1'
        if n=='unixsocketperm': lo,hi='0','511'
    uns = n in unsigned
    if uns and hi=='18446744073709551615':
        out.append('\t{name: %s, kind: kNum, def: %s, ull: true%s},'%(q(n),q(d),(', flags: '+'|'.join(flags)) if flags else ''))
    else:
        out.append('\t{name: %s, kind: kNum, def: %s, min: %s, max: %s%s},'%(q(n),q(d),lo,hi,(', flags: '+'|'.join(flags)) if flags else ''))
al='\n'.join('\t%s: %s,'%('"'+k+'"','"'+v+'"') for k,v in sorted(aliases.items()))
print('''// Code generated from probes of redis-server 7.0.15 (see doc.go); DO NOT EDIT by hand without re-probing.

package conf

// stdConfigs are the non-sentinel directives Redis 7.0.15 accepts, by
// canonical name, with their types, defaults and bounds as the binary
// reports them (CONFIG GET * on a plain server, and the errors a sentinel
// prints for bad values).
var stdConfigs = []stdConfig{
'''+'\n'.join(out)+'''
}

// configAliases maps an alias to the canonical name Redis rewrites it as.
var configAliases = map[string]string{
'''+al+'''
}
''')
