#!/usr/bin/env bash
# Prints what the last test run measured, one line per module: JaCoCo line and branch coverage of the unit tests
# (target/site/jacoco) and of unit + integration tests (target/site/jacoco-merged), and PIT's mutation score
# (target/pit-reports/mutations.xml) where the module runs PIT. A module without a report shows "-". Run by
# ./run-tests.sh after Maven (also when it failed: the table says by how much); reads only files, so it is
# instant. Usage: scripts/coverage-table.sh [markdown]   (markdown: a GitHub table, for CI's job summary)
set -uo pipefail
cd "$(dirname "$0")/.."

# "lines% branches%" of one jacoco.csv, or "- -".
ratios() {
    [[ -f $1 ]] || { echo "- -"; return; }
    awk -F, 'NR > 1 { lm += $8; lc += $9; bm += $6; bc += $7 }
        END { printf "%s %s\n", (lm + lc) ? sprintf("%.1f%%", 100 * lc / (lm + lc)) : "-",
                                (bm + bc) ? sprintf("%.1f%%", 100 * bc / (bm + bc)) : "-" }' "$1"
}

# "killed/total (score%)" of one PIT mutations.xml, or "-".
pit() {
    [[ -f $1 ]] || { echo "-"; return; }
    local total killed
    total=$(grep -c '<mutation ' "$1")
    killed=$(grep -c "<mutation detected='true'" "$1")
    if ((total == 0)); then echo "-"; else awk -v k="$killed" -v t="$total" 'BEGIN { printf "%d/%d %.1f%%\n", k, t, 100 * k / t }'; fi
}

markdown=${1:-}
if [[ $markdown == markdown ]]; then
    echo "| module | unit lines | unit branches | merged lines | merged branches | PIT killed |"
    echo "|---|---|---|---|---|---|"
else
    echo "coverage (JaCoCo; merged = unit + integration) and mutation score (PIT), as measured by this run:"
    printf '  %-22s %10s %10s %12s %12s   %s\n' module "unit-line" "unit-branch" "merged-line" "merged-branch" "PIT killed"
fi
for pom in */pom.xml; do
    m=${pom%%/*}
    read -r ul ub <<<"$(ratios "$m/target/site/jacoco/jacoco.csv")"
    read -r ml mb <<<"$(ratios "$m/target/site/jacoco-merged/jacoco.csv")"
    p=$(pit "$m/target/pit-reports/mutations.xml")
    [[ $ul$ub$ml$mb == "----" && $p == - ]] && continue
    if [[ $markdown == markdown ]]; then
        echo "| $m | $ul | $ub | $ml | $mb | $p |"
    else
        printf '  %-22s %10s %10s %12s %12s   %s\n' "$m" "$ul" "$ub" "$ml" "$mb" "$p"
    fi
done
