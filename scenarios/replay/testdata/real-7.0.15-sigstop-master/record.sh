#!/bin/bash
# Records real redis-sentinel 7.0.15 logs under a known fault: the master is
# stopped with SIGSTOP at T+20s and continued with SIGCONT at T+35s.
set -e
d=${1:-/tmp/realstop}
cd $d
redis-server --port 27211 --dir $d --daemonize yes --save '' --appendonly no --logfile $d/r1.log --pidfile $d/r1.pid
redis-server --port 27212 --dir $d --daemonize yes --save '' --logfile $d/r2.log --replicaof 127.0.0.1 27211 --replica-priority 10
redis-server --port 27213 --dir $d --daemonize yes --save '' --logfile $d/r3.log --replicaof 127.0.0.1 27211 --replica-priority 100
for i in 1 2 3; do
cat > s$i.conf <<EOC
port 2731$i
sentinel monitor mymaster 127.0.0.1 27211 2
sentinel down-after-milliseconds mymaster 2000
sentinel failover-timeout mymaster 10000
EOC
redis-sentinel $d/s$i.conf --daemonize yes --logfile $d/sentinel$i.log
done
sleep 20
kill -STOP $(cat r1.pid)
sleep 15
kill -CONT $(cat r1.pid)
sleep 20
for p in 27311 27312 27313 27211 27212 27213; do redis-cli -p $p shutdown nosave >/dev/null 2>&1 || true; done
