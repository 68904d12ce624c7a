#!/bin/bash
# Records real redis-sentinel 7.0.15 logs: sentinel 2 is restarted at
# T+20s (SHUTDOWN, started again 1 s later); the master is killed with
# SIGKILL at T+35s and never comes back.
set -e
d=${1:-/tmp/realrs}
cd $d
redis-server --port 27221 --dir $d --daemonize yes --save '' --appendonly no --logfile $d/r1.log --pidfile $d/r1.pid
redis-server --port 27222 --dir $d --daemonize yes --save '' --logfile $d/r2.log --replicaof 127.0.0.1 27221 --replica-priority 10
redis-server --port 27223 --dir $d --daemonize yes --save '' --logfile $d/r3.log --replicaof 127.0.0.1 27221 --replica-priority 100
for i in 1 2 3; do
cat > s$i.conf <<EOC
port 2732$i
sentinel monitor mymaster 127.0.0.1 27221 2
sentinel down-after-milliseconds mymaster 2000
sentinel failover-timeout mymaster 10000
EOC
redis-sentinel $d/s$i.conf --daemonize yes --logfile $d/sentinel$i.log
done
sleep 20
redis-cli -p 27322 shutdown >/dev/null 2>&1 || true
sleep 1
redis-sentinel $d/s2.conf --daemonize yes --logfile $d/sentinel2.log
sleep 14
kill -9 $(cat r1.pid)
sleep 20
for p in 27321 27322 27323 27222 27223; do redis-cli -p $p shutdown nosave >/dev/null 2>&1 || true; done
