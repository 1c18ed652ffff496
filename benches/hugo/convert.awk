# Converts an anli corpus (examples/corpus.rs) into the content of a Hugo site, for
# benches/compare.sh. Keeps every front-matter line (Hugo reads YAML front matter; the
# templates read title, unit, region, industry, year, status, metrics and summary from
# .Params) and adds what Hugo's taxonomies need, under the plural keys of hugo.toml:
#   region: X            -> regions: ["X"]
#   industry: X          -> industries: ["X", "<category of X>"]   (anli's category pages
#                           list their sub-industries' cases, so each case joins both)
#   scenarios: [a, b]    -> scenario-types: ["a", "<group of a>", "b", ...] (deduplicated)
#   technologies: [a, b] -> technologies: ["a", "b"] (deduplicated)
#   year: N              -> years: ["N"] and date: N-01-01 (Hugo lists newest first by date)
# The categories and groups come from the repository's starter vocabularies, the ones
# anli embeds: content/_taxonomies/{industries,scenarios}.yaml.
# Usage: awk -v out=HUGO_CONTENT_DIR -v vocab=content/_taxonomies -f convert.awk CASE.md...
BEGIN {
    split("", no_parent)
    parents(vocab "/industries.yaml", industry_parent)
    parents(vocab "/scenarios.yaml", scenario_parent)
}

# Reads "  - name: Parent" followed by "      - {name: Child, ...}" lines.
function parents(file, parent,    line, top, name) {
    while ((getline line < file) > 0) {
        if (line ~ /^  - name: /) {
            top = line
            sub(/^  - name: /, "", top)
        } else if (line ~ /^  - /) {
            top = ""
        } else if (top != "" && line ~ /^      - \{name: /) {
            name = line
            sub(/^      - \{name: /, "", name)
            sub(/[,}].*$/, "", name)
            parent[name] = top
        }
    }
    close(file)
}

# "[a, b]" -> the list's items, deduplicated, each followed by its parent (if any), quoted.
function terms(flow, parent,    items, n, i, seen, list, t) {
    gsub(/^\[|\]$/, "", flow)
    n = split(flow, items, /, */)
    list = ""
    for (i = 1; i <= n; i++) {
        t = items[i]
        if (t != "" && !(t in seen)) { seen[t] = 1; list = list (list == "" ? "" : ", ") "\"" t "\"" }
        if ((t in parent) && !(parent[t] in seen)) { seen[parent[t]] = 1; list = list ", \"" parent[t] "\"" }
    }
    return "[" list "]"
}

FNR == 1 {
    if (target != "") close(target)
    n = split(FILENAME, part, "/")
    target = out "/" part[n - 1] "/" part[n]
    fences = 0
    files++
}
fences < 2 && /^---$/ { fences++; print > target; next }
fences == 1 && sub(/^technologies: /, "") { print "technologies: " terms($0, no_parent) > target; next }
fences == 1 {
    print > target
    if (sub(/^region: /, "")) print "regions: [\"" $0 "\"]" > target
    else if (sub(/^industry: /, "")) print "industries: " terms("[" $0 "]", industry_parent) > target
    else if (sub(/^scenarios: /, "")) print "scenario-types: " terms($0, scenario_parent) > target
    else if (sub(/^year: /, "")) { print "years: [\"" $0 "\"]" > target; print "date: " $0 "-01-01" > target }
    next
}
{ print > target }
END { if (target != "") close(target); print files " cases converted" > "/dev/stderr" }
