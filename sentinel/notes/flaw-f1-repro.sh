#!/bin/bash
# Flaw F1 (README, "Flaws of Sentinel the fuzzer found") on the real
# redis-sentinel 7.0.15: a sentinel that switches master just after it
# reconnected cannot reconnect again for a second, and with
# down-after-milliseconds 1000 it finds the healthy new master SDOWN and,
# with quorum 1, fails it over.
#
# Needs redis-server, redis-sentinel and redis-cli (Debian: redis-server,
# redis-sentinel). Uses ports 27001-27002 and 27101-27102 and a temporary
# directory; stops everything it started. Prints how many of TRIALS restarts
# were followed by +sdown of the master the sentinel had just switched to.
set -euo pipefail
TRIALS=${TRIALS:-4}
dir=$(mktemp -d /tmp/sentinel-f1.XXXXXX)
cleanup() {
	for p in 27101 27102 27001 27002; do redis-cli -p $p shutdown nosave >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
cd "$dir"
redis-server --port 27001 --dir "$dir" --daemonize yes --save '' --logfile "$dir/r1.log"
redis-server --port 27002 --dir "$dir" --daemonize yes --save '' --logfile "$dir/r2.log" --replicaof 127.0.0.1 27001
for s in 1 2; do
	cat >"s$s.conf" <<EOF
port 2710$s
sentinel monitor mymaster 127.0.0.1 27001 1
sentinel down-after-milliseconds mymaster 1000
sentinel failover-timeout mymaster 5000
EOF
	redis-sentinel "$dir/s$s.conf" --daemonize yes --logfile "$dir/s$s.log"
done
sleep 5
for _ in $(seq "$TRIALS"); do
	cp s1.conf s1.stale
	old=$(redis-cli -p 27101 sentinel get-master-addr-by-name mymaster | tail -1)
	redis-cli -p 27101 shutdown nosave >/dev/null 2>&1 || true
	sleep 0.5
	redis-cli -p 27102 sentinel failover mymaster >/dev/null
	sleep 6
	new=$(redis-cli -p 27102 sentinel get-master-addr-by-name mymaster | tail -1)
	epoch=$(redis-cli -p 27102 sentinel master mymaster | grep -A1 '^config-epoch$' | tail -1)
	id=$(redis-cli -p 27102 sentinel myid)
	cp s1.stale s1.conf
	# The other sentinel's hello, every 3 ms, on the old master: it lands
	# right after the restarted sentinel's first reconnection.
	redis-cli -r 2000 -i 0.003 -p "$old" publish __sentinel__:hello \
		"127.0.0.1,27102,$id,$epoch,mymaster,127.0.0.1,$new,$epoch" >/dev/null 2>&1 &
	pub=$!
	sleep 0.3
	redis-sentinel "$dir/s1.conf" --daemonize yes --logfile "$dir/s1.log"
	sleep 4
	kill $pub 2>/dev/null || true
	wait $pub 2>/dev/null || true
	sleep 8
done
restarts=$(grep -c '+monitor master' s1.log)
hits=$(grep -c '+sdown master' s1.log || true)
grep -E '\+monitor|\+switch-master|\+sdown master|\+odown|\+try-failover' s1.log
echo "restarts with a stale configuration: $((restarts - 1)); +sdown of the new master right after +switch-master: $hits"
echo "logs in $dir"
