#!/usr/bin/env bash
# Fails when a source file includes a header of a layer it may not use.
# The table is the architecture (docs/architecture.md): each layer may
# include itself and the layers listed after it, nothing else of ours.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A may_use=(
  [executor/core]=""
  [executor/lang]="executor/core"
  [executor/assert]="executor/core"
  [steps]="executor/core"
  [steps/mqtt/paho]=""
  [steps/mqtt]="executor/core steps steps/mqtt/paho"
  [steps/exec]="executor/core steps"
  [contracts]="executor/core executor/assert steps steps/mqtt"
  [executor/suite]="executor/core executor/lang executor/assert steps"
  [executor/engine]="executor/core executor/lang executor/assert executor/suite steps"
  [executor/report]="executor/core executor/assert executor/engine"
  [cli]="executor/core executor/lang executor/assert executor/suite executor/engine executor/report steps steps/mqtt steps/exec contracts"
)

# The layer of a path: the longest table entry that is a prefix of its folder.
layer_of() {
  local dir best=""
  dir=$(dirname "$1")
  for layer in "${!may_use[@]}"; do
    if [[ "$dir" == "$layer" || "$dir" == "$layer"/* ]] && ((${#layer} > ${#best})); then
      best=$layer
    fi
  done
  echo "$best"
}

status=0
while IFS= read -r file; do
  from=$(layer_of "$file")
  [ -n "$from" ] || { echo "$file: in no layer of scripts/check_layers.sh"; status=1; continue; }
  while IFS=: read -r line header; do
    to=$(layer_of "$header")
    [ -n "$to" ] || { echo "$file:$line: includes \"$header\", which is in no layer"; status=1; continue; }
    [ "$to" = "$from" ] && continue
    if [[ " ${may_use[$from]} " != *" $to "* ]]; then
      echo "$file:$line: layer $from may not include \"$header\" (layer $to)"
      status=1
    fi
  done < <(grep -noE '^#include "[^"]+"' "$file" | sed -E 's/^([0-9]+):#include "(.*)"/\1:\2/')
done < <(find cli contracts executor steps -name '*.h' -o -name '*.cpp' | sort)
if ((status == 0)); then echo "layers: every include points down"; fi
exit $status
