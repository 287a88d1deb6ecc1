#!/usr/bin/env bash
# A Chinese font for charts (matplotlib renders the 研判报告's charts server-side) and for
# Chromium's screenshots: Debian's WenQuanYi Micro Hei (about 5 MB) when no CJK font is
# installed and we may install one (root); otherwise a hint, and charts fall back to
# English labels.
set -euo pipefail
if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing a Chinese font (fonts-wqy-microhei) for charts" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei fontconfig; } >&2 \
        || echo "    (could not install it: charts will use English labels)" >&2
else
    echo "==> no Chinese font found: charts use English labels (install fonts-wqy-microhei or fonts-noto-cjk)" >&2
fi
