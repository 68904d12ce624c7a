module github.com/sentinelsim/sentinelsim

go 1.26
