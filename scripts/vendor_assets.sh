#!/usr/bin/env bash
# Re-vendor the web page's third-party assets from the npm registry into server/static/vendor/.
# The result is committed, so neither CI nor a deployment needs npm; run this only to upgrade.
#   CodeMirror 5 (MIT): editor core, SPARQL mode, hint + bracket-matching + placeholder addons.
set -euo pipefail
CODEMIRROR_VERSION="${CODEMIRROR_VERSION:-5.65.20}"
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/server/static/vendor/codemirror"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "codemirror@$CODEMIRROR_VERSION" >/dev/null && tar xzf "codemirror-$CODEMIRROR_VERSION.tgz")
pkg="$tmp/package"
rm -rf "$dest" && mkdir -p "$dest"
cp "$pkg/LICENSE" "$dest/LICENSE"
cp "$pkg/lib/codemirror.js" "$pkg/lib/codemirror.css" "$dest/"
cp "$pkg/mode/sparql/sparql.js" "$dest/sparql.js"
cp "$pkg/addon/hint/show-hint.js" "$pkg/addon/hint/show-hint.css" "$dest/"
cp "$pkg/addon/edit/matchbrackets.js" "$pkg/addon/display/placeholder.js" "$dest/"
cat > "$dest/VERSION" <<INFO
codemirror $CODEMIRROR_VERSION (npm), MIT licence (LICENSE beside this file)
files: lib/codemirror.{js,css} mode/sparql/sparql.js addon/hint/show-hint.{js,css}
       addon/edit/matchbrackets.js addon/display/placeholder.js
sha256 of the npm tarball: $(sha256sum "$tmp/codemirror-$CODEMIRROR_VERSION.tgz" | cut -d' ' -f1)
INFO
echo "vendored codemirror $CODEMIRROR_VERSION into $dest"
