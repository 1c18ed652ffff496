#!/usr/bin/env bash
# `anli import` benchmark: a generated list of 1,000 scenarios (fictional units) as CSV
# and, when Python has openpyxl, as xlsx, imported into a fresh copy of the minimal site;
# then the same list imported again (every row already there). Median wall time of RUNS.
# Usage: benches/import.sh [rows] (default 1000). Target: under 2 s for 1,000 rows.
rows=${1:-1000}
source "$(dirname "$0")/common.sh"
header "anli import benchmark"
python3 - "$rows" "$work" <<'PY'
import csv, random, sys
rows, work = int(sys.argv[1]), sys.argv[2]
random.seed(7)
recommenders = ["江苏省工业和信息化厅", "浙江省经济和信息化厅", "宁波市经济和信息化局", "广东省工业和信息化厅",
                "深圳市工业和信息化局", "山东省工业和信息化厅", "四川省经济和信息化厅", "新疆生产建设兵团工业和信息化局"]
scenarios = ["车间智能排产", "在线智能检测", "设备故障诊断与预测", "能源智能管控", "仓储智能管理",
             "质量精准追溯", "基于数字孪生的工艺动态优化", "先进过程控制"]
words = ["精工", "机电", "电气", "纺织", "化工", "汽车", "光电", "材料", "装备", "电子"]
table = [["序号", "推荐单位", "企业名称", "场景名称"]]
for n in range(1, rows + 1):
    unit = f"某{random.choice(words)}{n}号{random.choice(words)}有限公司（示例）"
    table.append([n, random.choice(recommenders), unit, random.choice(scenarios)])
with open(f"{work}/list.csv", "w", newline="", encoding="utf-8") as f:
    csv.writer(f).writerows(table)
try:
    from openpyxl import Workbook
    book = Workbook()
    for row in table:
        book.active.append(row)
    book.save(f"{work}/list.xlsx")
except ImportError:
    print("(openpyxl missing: xlsx not measured)")
PY
for format in csv xlsx; do
  [ -f "$work/list.$format" ] || continue
  : > "$work/first"
  : > "$work/again"
  for _ in $(seq "$runs"); do
    rm -rf "$work/site" && cp -r tests/fixtures/valid-minimal "$work/site"
    for pass in first again; do
      /usr/bin/time -f '%e' -o "$work/one" "$anli" import "$work/list.$format" --kind scenario --year 2023 \
        --root "$work/site" > /dev/null 2>&1
      cat "$work/one" >> "$work/$pass"
    done
  done
  files=$(ls "$work/site/content/scenarios" | wc -l)
  printf '%6d rows, %-4s: import median %ss (%d files), again median %ss\n' \
    "$rows" "$format" "$(median < "$work/first")" "$files" "$(median < "$work/again")"
done
