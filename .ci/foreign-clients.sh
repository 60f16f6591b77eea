# Checks that the published spec works with real tools of other languages. Sourced by .ci/run
# (not run on its own) once the sandbox is up, with: `set -euo pipefail`, cwd = the repository
# root, $TOOLS (= $PWD/.tools), a `step` function, and the sandbox's base URL and token in $url
# and $token. Tools are pinned and installed under .tools/ (git ignores it), each only again when
# its pin file changes:
#   .ci/package.json + .ci/package-lock.json -> .tools/node (@redocly/cli, openapi-typescript,
#                                                 redoc, typescript)
#   .ci/requirements-pyclient.txt            -> .tools/pyclient (openapi-python-client, ruff, httpx, ...)
# Generated output goes to .tools/pyclient-out and .tools/ts-out. Variables are prefixed fc_.

step "node tools: @redocly/cli, openapi-typescript, redoc, typescript (pinned in .ci/package-lock.json, in .tools/node)"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
# @redocly/cli 2.77.0 declares node ">=22.12.0 || >=20.19.0 <21.0.0" (Debian 12's own nodejs is 18).
node -e 'const [a, b] = process.versions.node.split(".").map(Number);
  if (!(a >= 22 || (a === 20 && b >= 19))) console.error(`warning: node ${process.version} is older than @redocly/cli 2.77.0 supports (>=20.19)`)'
fc_node="$TOOLS/node"
if ! cmp -s .ci/package-lock.json "$fc_node/package-lock.installed" 2>/dev/null \
  || ! cmp -s .ci/package.json "$fc_node/package.json"; then
  rm -rf "$fc_node"
  mkdir -p "$fc_node"
  cp .ci/package.json .ci/package-lock.json "$fc_node/"
  # No install scripts: none of these tools needs one (core-js's only prints a funding note).
  (cd "$fc_node" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  cp .ci/package-lock.json "$fc_node/package-lock.installed"
fi
fc_bin="$fc_node/node_modules/.bin"

step "python client tools: openapi-python-client, ruff (pinned in .ci/requirements-pyclient.txt, venv in .tools/pyclient)"
if ! cmp -s .ci/requirements-pyclient.txt "$TOOLS/pyclient/requirements.installed" 2>/dev/null; then
  rm -rf "$TOOLS/pyclient"
  python3 -m venv "$TOOLS/pyclient"
  "$TOOLS/pyclient/bin/pip" install --quiet --disable-pip-version-check -r .ci/requirements-pyclient.txt
  cp .ci/requirements-pyclient.txt "$TOOLS/pyclient/requirements.installed"
fi

step "spec lint: redocly lint --config .ci/redocly.yaml (hand-written and lowered spec)"
fc_log="$(mktemp)"
if ! REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true "$fc_bin/redocly" lint \
  --config .ci/redocly.yaml --format stylish \
  spec/adsterra-advertiser.yaml spec/dist/adsterra-advertiser.lowered.json >"$fc_log" 2>&1; then
  cat "$fc_log"
  echo "redocly lint found errors"
  exit 1
fi
# Leave out the boxed "Node.js 20 support is ending" banner Redocly CLI prints on Node 20.
grep -v -F -e '║' -e '╔' -e '╚' "$fc_log" | grep -v '^[[:space:]]*$' || true

step "python client: openapi-python-client generate (lowered spec) + .ci/python_smoke.py against the sandbox"
# --fail-on-warning: a part of the spec the generator cannot use fails here. Its post-hooks call
# `ruff` from PATH.
if ! PATH="$TOOLS/pyclient/bin:$PATH" "$TOOLS/pyclient/bin/openapi-python-client" generate \
  --path spec/dist/adsterra-advertiser.lowered.json --config .ci/pyclient-config.yaml \
  --output-path "$TOOLS/pyclient-out" --overwrite --fail-on-warning >"$fc_log" 2>&1; then
  cat "$fc_log"
  echo "openapi-python-client could not generate a clean client from the lowered spec"
  exit 1
fi
fc_ops=$(find "$TOOLS/pyclient-out/adsterra_advertiser_api_client/api" -name '*.py' ! -name '__init__.py' | wc -l)
fc_want=$("$TOOLS/pyclient/bin/python" -c 'import json, sys
spec = json.load(open(sys.argv[1]))
print(sum(1 for item in spec["paths"].values() for key, op in item.items()
          if key in ("get", "put", "post", "delete", "options", "head", "patch", "trace")))' \
  spec/dist/adsterra-advertiser.lowered.json)
echo "generated $fc_ops operation modules for the $fc_want operations of the lowered spec, no warnings"
[ "$fc_ops" -eq "$fc_want" ] || { echo "openapi-python-client left out operations"; exit 1; }
PYTHONPATH="$TOOLS/pyclient-out" SANDBOX_URL="$url" SANDBOX_TOKEN="$token" \
  "$TOOLS/pyclient/bin/python" .ci/python_smoke.py
# Every folder of answers recorded from the real API (tests/recorded/, empty until someone
# records): the same smoke client against a sandbox that replays it (the rest from the sandbox).
for recorded in tests/recorded/*/; do
  [ -d "$recorded" ] || continue
  replay_log="$(mktemp)"
  ./target/debug/adsterra-sandbox --port 0 --rate-limit 0 --replay "$recorded" >"$replay_log" 2>&1 &
  replay_pid=$!
  for _ in $(seq 50); do grep -q '^X-API-Key' "$replay_log" && break; sleep 0.2; done
  replay_url=$(sed -n 's/^Adsterra sandbox serving //p' "$replay_log")
  replay_token=$(sed -n 's/^X-API-Key: //p' "$replay_log")
  echo "python client against the answers recorded in $recorded"
  PYTHONPATH="$TOOLS/pyclient-out" SANDBOX_URL="$replay_url" SANDBOX_TOKEN="$replay_token" \
    "$TOOLS/pyclient/bin/python" .ci/python_smoke.py || { kill "$replay_pid"; exit 1; }
  kill "$replay_pid" 2>/dev/null || true
done

step "typescript types: openapi-typescript (lowered spec) -> .tools/ts-out/schema.d.ts, then tsc --strict on a use of it"
mkdir -p "$TOOLS/ts-out"
if ! "$fc_bin/openapi-typescript" spec/dist/adsterra-advertiser.lowered.json \
  -o "$TOOLS/ts-out/schema.d.ts" >"$fc_log" 2>&1; then
  cat "$fc_log"
  echo "openapi-typescript failed on the lowered spec"
  exit 1
fi
[ -s "$TOOLS/ts-out/schema.d.ts" ] || { echo "openapi-typescript wrote an empty schema.d.ts"; exit 1; }
for fc_name in '"/stats.json": {' '"/stats.csv": {' 'get_stats: {' 'add_to_blacklist: {' 'StatsRow: {' \
  'StatsGroupBy: "date" | "campaign"' 'ApiError: {'; do
  grep -q -F "$fc_name" "$TOOLS/ts-out/schema.d.ts" \
    || { echo "schema.d.ts has no \`$fc_name\`"; exit 1; }
done
# A consumer's view: these must type-check against the generated types (and fail if, say, a
# group_by value, a body field or a response media type went missing).
cat >"$TOOLS/ts-out/usage.ts" <<'EOF'
import type { components, operations, paths } from "./schema";
type Ok<P extends keyof paths, M extends "get" | "post"> = paths[P][M] extends {
  responses: { 200: { content: infer C } };
} ? C : never;
const query: operations["get_stats"]["parameters"]["query"] = {
  start_date: "2026-11-01",
  finish_date: "2026-11-27",
  "group_by[]": ["date", "campaign"],
};
const row: components["schemas"]["StatsRow"]["campaign"] = 1463700;
const balance: Ok<"/balance.json", "get">["application/json"]["balance"] = 1.5;
const csv: Ok<"/stats.csv", "get">["text/csv"] = "date;impressions\n";
const xml: Ok<"/stats.xml", "get">["application/xml"] = "<response/>";
const add: operations["add_to_blacklist"]["requestBody"]["content"]["application/json"] = {
  campaign_id: 1463700,
  placement_ids: [15413270],
};
export { add, balance, csv, query, row, xml };
EOF
"$fc_bin/tsc" --noEmit --strict "$TOOLS/ts-out/usage.ts"
echo "schema.d.ts: $(wc -l <"$TOOLS/ts-out/schema.d.ts") lines, $(wc -c <"$TOOLS/ts-out/schema.d.ts") bytes; usage.ts type-checks"

step "redoc bundle: spec/dist/redoc.standalone.js is the pinned redoc's bundles/redoc.standalone.js"
fc_redoc="$fc_node/node_modules/redoc/bundles/redoc.standalone.js"
fc_redoc_version=$(node -p 'require(process.argv[1]).version' "$fc_node/node_modules/redoc/package.json")
[ -s "$fc_redoc" ] || { echo "redoc@$fc_redoc_version has no bundles/redoc.standalone.js"; exit 1; }
if [ -f spec/dist/redoc.standalone.js ]; then
  cmp spec/dist/redoc.standalone.js "$fc_redoc" \
    || { echo "spec/dist/redoc.standalone.js is not redoc@$fc_redoc_version's bundle: copy $fc_redoc"; exit 1; }
  echo "identical to redoc@$fc_redoc_version ($(wc -c <"$fc_redoc") bytes)"
else
  echo "note: spec/dist/redoc.standalone.js does not exist yet; nothing to compare with redoc@$fc_redoc_version"
fi
rm -f "$fc_log"
unset fc_node fc_bin fc_log fc_ops fc_want fc_name fc_redoc fc_redoc_version
