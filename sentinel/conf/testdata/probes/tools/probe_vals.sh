#!/bin/bash
# stdin: name<TAB>value ; prints name, value, result line
cd /tmp/sc/cp
while IFS=$'\t' read n v; do
  printf '%s %s\nbogus-directive-zzz\n' "$n" "$v" > t.conf
  out=$(timeout 3 redis-server t.conf --sentinel 2>&1 </dev/null | tr '\n' '|')
  if [[ "$out" == *"at line 2"* ]]; then r=OK; else r=$(echo "$out" | awk -F'|' '{print $(NF-1)}'); fi
  echo -e "$n\t$v\t$r"
done
