#!/usr/bin/env bash
# A throwaway single-node Slurm cluster on localhost, for CI and for trying the scripts in
# this directory: munged, slurmctld and slurmd with every file under one directory.
#
#   local-cluster.sh install      apt-get install Debian's slurm-wlm and munge (root) if missing
#   local-cluster.sh start DIR    write DIR/slurm.conf, start the daemons, wait for the node
#   local-cluster.sh stop DIR     stop the daemons started by `start DIR` (by their pid files)
#
# After `start`, point the client commands at it: export SLURM_CONF=DIR/slurm.conf.
# Ports: ZKFL_SLURM_PORT (slurmctld) and ZKFL_SLURM_PORT + 1 (slurmd), default 16817.
set -euo pipefail

PATH=$PATH:/usr/sbin:/sbin

have_slurm() {
    command -v slurmctld >/dev/null && command -v slurmd >/dev/null &&
        command -v sbatch >/dev/null && command -v munged >/dev/null
}

cmd=${1:?usage: local-cluster.sh install | start DIR | stop DIR}
case "$cmd" in
install)
    if have_slurm; then
        exit 0
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "slurm-wlm and munge are not installed and installing them needs root" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y slurm-wlm munge
    ;;
start)
    dir=$(realpath -m "${2:?usage: local-cluster.sh start DIR}")
    mkdir -p "$dir"/{spool,state,munge}
    port=${ZKFL_SLURM_PORT:-16817}
    user=$(id -un)
    cpus=$(nproc)
    # munged insists on a private key and a socket directory that only its user can write.
    chmod 700 "$dir/munge"
    if [ ! -f "$dir/munge/munge.key" ]; then
        head -c 1024 /dev/urandom >"$dir/munge/munge.key"
        chmod 400 "$dir/munge/munge.key"
    fi
    munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
        --seed-file="$dir/munge/munged.seed"
    cat >"$dir/slurm.conf" <<CONF
ClusterName=zkfl-local
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
SlurmUser=$user
SlurmdUser=$user
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=1
ReturnToService=2
SlurmdParameters=config_overrides
MpiDefault=none
NodeName=localhost CPUs=$cpus State=UNKNOWN
PartitionName=main Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF="$dir/slurm.conf"
    slurmctld -f "$SLURM_CONF"
    slurmd -f "$SLURM_CONF"
    for _ in $(seq 1 120); do
        state=$(sinfo -h -N -o %T 2>/dev/null | head -n1 || true)
        case "$state" in
        idle* | mixed* | allocated*) exit 0 ;;
        esac
        sleep 0.5
    done
    echo "the local Slurm node did not come up (state '${state:-}'); logs:" >&2
    tail -n 30 "$dir/slurmctld.log" "$dir/slurmd.log" "$dir/munge/munged.log" >&2 || true
    exit 1
    ;;
stop)
    dir=$(realpath -m "${2:?usage: local-cluster.sh stop DIR}")
    for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
        if [ -f "$pidfile" ]; then
            pid=$(cat "$pidfile")
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            rm -f "$pidfile"
        fi
    done
    ;;
*)
    echo "usage: local-cluster.sh install | start DIR | stop DIR" >&2
    exit 2
    ;;
esac
