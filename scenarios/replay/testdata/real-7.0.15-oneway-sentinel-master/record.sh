#!/bin/bash
# Records real redis-sentinel 7.0.15 logs under a ONE-WAY cut, the reverse of
# real-7.0.15-oneway-master-sentinel: packets from sentinel s2's host
# (127.0.0.6) to the master's host (127.0.0.2) are dropped (one iptables
# DROP rule, -s s2 -d master) at T+20s and the rule is removed at T+50s;
# master -> s2 packets still pass, every other link stays up. The
# logs end at T+70s. Same layout as real-7.0.15-cut-sentinel-master: every
# process has its own loopback address (r1 127.0.0.2 master, r2 127.0.0.3,
# r3 127.0.0.4, sentinels s1..s3 127.0.0.5..7) with bind, bind-source-addr
# and protected-mode no. On TCP a one-way drop stalls the established links
# both ways (s2's requests never arrive, nor its ACKs of the master's
# data), and a new connection from s2 gets nowhere (its SYN is dropped).
# connections.txt (T+15s) shows the source addresses; connections-cut.txt
# (T+40s, during the cut, with timers) shows the stalled s2<->master
# sockets. T is when the first sentinel starts; faults.txt has the
# wall-clock times of the faults.
# Needs root (iptables). Run: record.sh [workdir] [src dst]
# (src dst default to 127.0.0.6 127.0.0.2: s2 -> master dropped.)
set -e
d=${1:-/tmp/replay-part/oneway-sentinel-master}
src=${2:-127.0.0.6}
dst=${3:-127.0.0.2}
CH=SSIM_ONEWAY
rm -rf $d && mkdir -p $d && cd $d
cleanup() {
	iptables -D OUTPUT -j $CH 2>/dev/null || true
	iptables -F $CH 2>/dev/null || true
	iptables -X $CH 2>/dev/null || true
	for f in $d/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
}
trap cleanup EXIT
iptables -N $CH
iptables -I OUTPUT -j $CH
mark() { echo "$(date -u '+%d %b %Y %H:%M:%S.%3N') $*" >>faults.txt; }
ports='( sport >= :27480 and sport <= :27499 ) or ( dport >= :27480 and dport <= :27499 )'
redis-server --bind 127.0.0.2 --bind-source-addr 127.0.0.2 --protected-mode no --port 27481 --dir $d --daemonize yes --save '' --appendonly no --logfile $d/r1.log --pidfile $d/r1.pid
redis-server --bind 127.0.0.3 --bind-source-addr 127.0.0.3 --protected-mode no --port 27482 --dir $d --daemonize yes --save '' --logfile $d/r2.log --pidfile $d/r2.pid --replicaof 127.0.0.2 27481 --replica-priority 10
redis-server --bind 127.0.0.4 --bind-source-addr 127.0.0.4 --protected-mode no --port 27483 --dir $d --daemonize yes --save '' --logfile $d/r3.log --pidfile $d/r3.pid --replicaof 127.0.0.2 27481 --replica-priority 100
sleep 1
for i in 1 2 3; do
cat > s$i.conf <<EOC
bind 127.0.0.$((i + 4))
bind-source-addr 127.0.0.$((i + 4))
protected-mode no
port 2749$i
sentinel monitor mymaster 127.0.0.2 27481 2
sentinel down-after-milliseconds mymaster 2000
sentinel failover-timeout mymaster 10000
EOC
redis-sentinel $d/s$i.conf --daemonize yes --logfile $d/sentinel$i.log --pidfile $d/s$i.pid
done
mark start
sleep 15
ss -tn state established "$ports" >connections.txt
sleep 5
mark oneway $src $dst
iptables -A $CH -s $src -d $dst -j DROP # one direction only
sleep 20
ss -tno "$ports" >connections-cut.txt
sleep 10
iptables -F $CH
mark heal
sleep 20
mark end
