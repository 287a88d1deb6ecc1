#!/usr/bin/env bash
# The main command: on a fresh machine, with no server, build the environment,
# index the shipped sample library into the embedded store, answer a search,
# then serve the API and the web pages on http://127.0.0.1:8000 (Ctrl-C stops).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$("$root/scripts/setup-venv.sh")"
export HF_HUB_OFFLINE=1
kb="$venv/bin/kb"
echo "==> kb index（示例库 → 内置检索库 ${KB_DATA_DIR:-~/.local/share/kb-service}）"
"$kb" index
echo
echo "==> kb search cases 楼上天天吵"
"$kb" search cases "楼上天天吵" --size 5
echo
echo "==> kb similar --text 包工头跑了，工地欠我们工资"
"$kb" similar --text "包工头跑了，工地欠我们工资" --size 5
echo
echo "==> kb serve：网页 http://127.0.0.1:8000/ ，接口文档 http://127.0.0.1:8000/docs"
exec "$kb" serve --host 127.0.0.1 --port "${KB_PORT:-8000}"
