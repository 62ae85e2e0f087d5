#!/usr/bin/env bash
# Usage: data/experiments/run.sh NAME [MGDL_VERIFY]: runs data/experiments/NAME.json into runs/NAME.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${2:-$here/../../build/src/cli/mgdl-verify}
exec "$bin" train --config "$here/$1.json" --out "runs/$1"
