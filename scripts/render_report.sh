#!/bin/sh
# Render a `peka report` for visual review: the workbook to PDF with LibreOffice headless (uses the print setup:
# landscape where wide, one page wide, the household sheet its key columns only, page numbers) and screenshots of the HTML page with
# headless Chromium at desktop and phone widths. Tools that are not installed are skipped with a note; nothing is
# installed here (Debian: libreoffice-calc, chromium).
#
#   scripts/render_report.sh [OUT_DIR]     default OUT_DIR: out/report-render
#
# Runs the sample command first when out/laporan.xlsx / out/laporan.html do not exist.
set -eu
out_dir=${1:-out/report-render}
mkdir -p "$out_dir" out
if [ ! -f out/laporan.xlsx ] || [ ! -f out/laporan.html ]; then
  peka report data/samples/sabang/households.csv --persons data/samples/sabang/persons.csv \
    --by kec_name --by desa_name -o out/laporan.xlsx -o out/laporan.html
fi

office=$(command -v soffice || command -v libreoffice || true)
if [ -n "$office" ]; then
  "$office" --headless --convert-to pdf --outdir "$out_dir" out/laporan.xlsx >/dev/null
  echo "wrote $out_dir/laporan.pdf"
else
  echo "LibreOffice not found (apt-get install libreoffice-calc): no PDF" >&2
fi

chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -n "$chrome" ]; then
  page="file://$(cd out && pwd)/laporan.html"
  profile=$(mktemp -d)  # a new empty profile: no state from another run
  "$chrome" --headless --disable-gpu --no-sandbox --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars --window-size=1280,4000 \
    --screenshot="$out_dir/laporan-desktop.png" "$page" 2>/dev/null
  "$chrome" --headless --disable-gpu --no-sandbox --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars --window-size=390,6000 \
    --screenshot="$out_dir/laporan-phone.png" "$page" 2>/dev/null
  "$chrome" --headless --disable-gpu --no-sandbox --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" --print-to-pdf="$out_dir/laporan-html.pdf" "$page" 2>/dev/null
  echo "wrote $out_dir/laporan-desktop.png, laporan-phone.png, laporan-html.pdf"
else
  echo "Chromium not found (apt-get install chromium): no screenshots" >&2
fi
