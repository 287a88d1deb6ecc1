#!/usr/bin/env bash
# The main command: on a fresh machine, with no server, build the environment,
# index the shipped sample library into the embedded store, register a small
# generated sample of disputes (SQLite register under KB_DATA_DIR), answer a
# search, then serve the API and the web pages on http://127.0.0.1:8000 (Ctrl-C stops).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$("$root/scripts/setup-venv.sh")"
"$root/scripts/cjk-font.sh" || true
export HF_HUB_OFFLINE=1
kb="$venv/bin/kb"
echo "==> kb index（示例库 → 内置检索库 ${KB_DATA_DIR:-~/.local/share/kb-service}）"
"$kb" index
echo
echo "==> kb disputes import（约 300 件生成的示例纠纷，近一年；重复运行不会重复登记）"
work="$(mktemp -d)"
sample="$work/sample-register.jsonl"
"$venv/bin/python" - "$sample" <<'PY'
import datetime as dt, sys
from pathlib import Path
from disputes.generator import generate, write
end = dt.date.today()
count = write(generate(seed=2026, start=end - dt.timedelta(days=365), end=end, scale=0.02), Path(sys.argv[1]))
print(f"生成示例纠纷 {count} 件：{sys.argv[1]}")
PY
"$kb" disputes import "$sample" > "$work/import.txt"
head -n 3 "$work/import.txt"
rm -rf "$work"
echo
echo "==> kb search cases 楼上天天吵"
"$kb" search cases "楼上天天吵" --size 5
echo
echo "==> kb similar --text 包工头跑了，工地欠我们工资"
"$kb" similar --text "包工头跑了，工地欠我们工资" --size 5
echo
echo "==> kb serve：网页 http://127.0.0.1:8000/ ，接口文档 http://127.0.0.1:8000/docs"
exec "$kb" serve --host 127.0.0.1 --port "${KB_PORT:-8000}"
