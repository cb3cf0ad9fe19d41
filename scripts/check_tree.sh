#!/usr/bin/env bash
# Checks of the tree that need no build, run by scripts/test.sh:
# - every path the project's files name resolves: docs/..., base/..., ledger/..., projections/...,
#   api/..., tools/..., tests/..., scripts/... mentioned in a source file, a script, CMake or a
#   Markdown document exists, and so does every bare file name they mention;
# - no file includes a header of a layer above its own;
# - no source file is longer than 450 lines unless its first lines say why ("450 lines").
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
pattern='(docs|base|ledger|projections|api|tools|tests|scripts)/[A-Za-z0-9_./-]*[A-Za-z0-9_]\.(md|h|cc|capnp|sh|js|txt|lua|json)'
while IFS= read -r file; do
  while IFS= read -r hit; do
    line=${hit%%:*}
    ref=${hit#*:}
    # Paths under a build tree or a scratch directory are examples, not files of ours.
    [[ "$ref" == build* || "$ref" == */build/* || "$ref" == *.capnp.h || "$ref" == */x.h ]] && continue
    # Relative to the tree, or to the file's own folder (docs/adr/0001 names docs/adr/0002 as
    # 0002-..., which this pattern does not catch; "projections/x.h" from inside docs/ is
    # a tree path).
    [[ -e "$ref" || -e "$(dirname "$file")/$ref" ]] && continue
    echo "$file:$line: names $ref, which does not exist" >&2
    status=1
  done < <(grep -noE "$pattern" "$file" || true)
done < <(git ls-files -- '*.h' '*.cc' '*.capnp' '*.md' '*.sh' '*.js' 'CMakeLists.txt' '*/CMakeLists.txt' \
           ':!tests/e2e/node_modules' ':!tests/e2e/package-lock.json')
# A bare file name ("token_service.h", "0007-views-and-snapshots.md") must be some file's name.
names=$(git ls-files | sed 's#.*/##' | sort -u)
while IFS= read -r hit; do
  file=${hit%%:*}
  rest=${hit#*:}
  line=${rest%%:*}
  name=${rest#*:}
  [[ "$name" == *.capnp.h || -e /usr/include/$name ]] && continue  # generated, or the system's
  grep -qxF "$name" <<<"$names" && continue
  echo "$file:$line: names $name, which is no file's name" >&2
  status=1
done < <(git ls-files -- '*.h' '*.cc' '*.md' 'CMakeLists.txt' '*/CMakeLists.txt' |
           xargs grep -noE '(^|[^A-Za-z0-9_./-])[a-z0-9_]+(_test|_bench)?\.(h|cc)\b|[0-9]{4}-[a-z0-9-]+\.md' |
           sed -E 's#:[^A-Za-z0-9_]?([a-z0-9_-]+\.(h|cc|md))$#:\1#')
# Layers point one way (api, tools/replay -> projections -> ledger -> base): no file includes a
# header of a layer above its own.
check_layer() {  # check_layer FOLDER FORBIDDEN-FOLDERS-REGEX
  local hits
  hits=$(git ls-files -- "$1/*.h" "$1/*.cc" | xargs grep -nE "#include \"($2)/" || true)
  if [[ -n "$hits" ]]; then
    echo "$1/ includes a layer above it:" >&2
    echo "$hits" >&2
    status=1
  fi
}
check_layer base 'ledger|projections|api|tools'
check_layer ledger 'projections|api|tools'
check_layer projections 'api|tools'
check_layer api 'tools'
check_layer tools/replay 'api'

# Long files say why at their top.
while IFS= read -r file; do
  lines=$(wc -l <"$file")
  if [[ $lines -gt 450 ]] && ! head -n 12 "$file" | grep -q "450 lines"; then
    echo "$file: $lines lines, and its top does not say why it is longer than 450" >&2
    status=1
  fi
done < <(git ls-files -- '*.h' '*.cc' '*.sh' '*.js' ':!tests/e2e/node_modules')
exit $status
