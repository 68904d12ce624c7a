#!/bin/bash
# Records real redis-sentinel 7.0.15 logs under a known fault: the master is
# killed with SIGKILL at T+20s and restarted at T+50s.
set -e
d=/tmp/real715
cd $d
redis-server --port 27201 --dir $d --daemonize yes --save '' --appendonly no --logfile $d/r1.log --pidfile $d/r1.pid
redis-server --port 27202 --dir $d --daemonize yes --save '' --logfile $d/r2.log --replicaof 127.0.0.1 27201 --replica-priority 10
redis-server --port 27203 --dir $d --daemonize yes --save '' --logfile $d/r3.log --replicaof 127.0.0.1 27201 --replica-priority 100
for i in 1 2 3; do
cat > s$i.conf <<EOC
port 2730$i
sentinel monitor mymaster 127.0.0.1 27201 2
sentinel down-after-milliseconds mymaster 2000
sentinel failover-timeout mymaster 10000
EOC
redis-sentinel $d/s$i.conf --daemonize yes --logfile $d/sentinel$i.log
done
sleep 20
kill -9 $(cat r1.pid)
sleep 30
redis-server --port 27201 --dir $d --daemonize yes --save '' --appendonly no --logfile $d/r1.log --pidfile $d/r1.pid
sleep 15
for p in 27301 27302 27303 27201 27202 27203; do redis-cli -p $p shutdown nosave >/dev/null 2>&1 || true; done
