#!/bin/bash
# Records real redis-sentinel 7.0.15 logs under a network partition: the
# master's host is cut from every other host (both directions, iptables DROP)
# at T+20s and healed at T+50s; the logs end at T+70s. Every process has its
# own loopback address (a "host"): r1 127.0.0.2 (master), r2 127.0.0.3, r3
# 127.0.0.4, sentinels s1..s3 127.0.0.5..7. `bind` alone does not choose the
# source of outgoing links in 7.0.15 (they came from 127.0.0.1), so every
# process also has bind-source-addr (Sentinel's links and replication use
# it; connections.txt, written at T+15s, shows it) and protected-mode no
# (else 127.0.0.N is not "loopback" and replicas are refused); rules on
# -s/-d pairs then cut the links between hosts. T is when the first
# sentinel starts; faults.txt has the wall-clock times of the faults.
# Needs root (iptables). Run: record.sh [workdir]
set -e
d=${1:-/tmp/replay-part/isolate-master}
CH=SSIM_ISOMASTER
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
hosts="127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6 127.0.0.7"
isolate() { # isolate HOST: drop every packet between HOST and the other hosts
	for o in $hosts; do [ "$o" = "$1" ] && continue
		iptables -A $CH -s "$1" -d "$o" -j DROP
		iptables -A $CH -s "$o" -d "$1" -j DROP
	done
}
mark() { echo "$(date -u '+%d %b %Y %H:%M:%S.%3N') $*" >>faults.txt; }
redis-server --bind 127.0.0.2 --bind-source-addr 127.0.0.2 --protected-mode no --port 27401 --dir $d --daemonize yes --save '' --appendonly no --logfile $d/r1.log --pidfile $d/r1.pid
redis-server --bind 127.0.0.3 --bind-source-addr 127.0.0.3 --protected-mode no --port 27402 --dir $d --daemonize yes --save '' --logfile $d/r2.log --pidfile $d/r2.pid --replicaof 127.0.0.2 27401 --replica-priority 10
redis-server --bind 127.0.0.4 --bind-source-addr 127.0.0.4 --protected-mode no --port 27403 --dir $d --daemonize yes --save '' --logfile $d/r3.log --pidfile $d/r3.pid --replicaof 127.0.0.2 27401 --replica-priority 100
sleep 1
for i in 1 2 3; do
cat > s$i.conf <<EOC
bind 127.0.0.$((i + 4))
bind-source-addr 127.0.0.$((i + 4))
protected-mode no
port 2741$i
sentinel monitor mymaster 127.0.0.2 27401 2
sentinel down-after-milliseconds mymaster 2000
sentinel failover-timeout mymaster 10000
EOC
redis-sentinel $d/s$i.conf --daemonize yes --logfile $d/sentinel$i.log --pidfile $d/s$i.pid
done
mark start
sleep 15
ss -tn state established '( sport >= :27400 and sport <= :27499 ) or ( dport >= :27400 and dport <= :27499 )' >connections.txt
sleep 5
mark isolate 127.0.0.2
isolate 127.0.0.2
sleep 30
iptables -F $CH
mark heal
sleep 20
mark end
