#!/bin/sh
# Rolls a release out in the order that keeps it zero-downtime (docs/deploy.md):
#   1. the migration Job of the new version, over a direct connection, and wait for it;
#   2. then the application: Deployments roll one pod at a time (maxUnavailable 0), each new
#      pod taking traffic only once /ready says so, each old one draining before it exits.
# Usage: deploy/k8s/rollout.sh production|staging
set -eu
overlay=${1:?usage: rollout.sh production|staging}
here=$(cd "$(dirname "$0")" && pwd)
dir="$here/overlays/$overlay"
namespace=$(sed -n 's/^namespace: *//p' "$dir/kustomization.yaml")

# A Job's template cannot change: the previous release's Job goes first.
kubectl -n "$namespace" delete job strata-migrate --ignore-not-found --wait=true
kubectl apply -k "$dir/migrate"
if ! kubectl -n "$namespace" wait --for=condition=complete job/strata-migrate --timeout=15m; then
  kubectl -n "$namespace" logs job/strata-migrate --tail=50 || true
  echo "migration failed: the application was not changed" >&2
  exit 1
fi

kubectl apply -k "$dir"
for deployment in strata-pgbouncer strata-api strata-worker strata-web; do
  kubectl -n "$namespace" rollout status "deployment/$deployment" --timeout=15m
done
