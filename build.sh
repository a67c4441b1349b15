#!/usr/bin/env bash
# The one entry point: ./build.sh run | test | bench | demo
# Each command installs what is missing (idempotently), restores and builds, then does its job.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
CONFIGURATION=${CONFIGURATION:-Release}
APT_PACKAGES=(clickhouse-server clickhouse-client)

# TaskLens's recommended GC setting (docs/operations.md): a 64 MiB gen-0 budget. Ingest allocates short-lived
# strings per span; with the small default budget they are collected (and promoted) many times per export, which
# cost ~20% of the CPU per span in ./build.sh bench. The runtime takes this only from the environment; an exported
# value wins (DOTNET_GCgen0size=0x2000000 ./build.sh bench for the budget's A/B, docs/ingest.md "What the loaded pauses are").
export DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x4000000}

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Installs the Debian packages that are not installed yet, as root or through passwordless sudo.
ensure_apt_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo=(sudo)
    else
      echo "TaskLens needs these Debian packages: ${missing[*]}" >&2
      echo "Install them as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
  log "Installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  # The packages try to start a system service; TaskLens runs its own server, so a refused start is fine.
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null; then
    echo "TaskLens needs the .NET 10 SDK on PATH (https://dotnet.microsoft.com/download)." >&2
    exit 1
  fi
}

# The dashboard's browser packages (uPlot), pinned by web/TaskLens.Web/package-lock.json: installed with npm ci and
# copied into wwwroot/lib before the build, so they are served as the dashboard's static web assets.
ensure_web_assets() {
  local web=web/TaskLens.Web
  local lib=$web/wwwroot/lib/uplot
  if [ -f "$lib/uPlot.iife.min.js" ] && [ ! "$web/package-lock.json" -nt "$lib/uPlot.iife.min.js" ]; then
    return 0
  fi
  command -v npm >/dev/null || ensure_apt_packages npm
  log "Installing the dashboard's browser packages (npm ci)"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
  mkdir -p "$lib"
  cp "$web/node_modules/uplot/dist/uPlot.iife.min.js" "$web/node_modules/uplot/dist/uPlot.min.css" "$lib/"
}

build() {
  ensure_dotnet
  ensure_apt_packages "${APT_PACKAGES[@]}"
  ensure_web_assets
  log "Restoring and building ($CONFIGURATION)"
  dotnet build TaskLens.sln -c "$CONFIGURATION" -nologo -clp:ErrorsOnly
}

# Runs one test project and adds its counts to the totals; keeps going so every suite reports.
PASSED=0; FAILED=0; SUITES_FAILED=()
run_suite() {
  local project=$1 out status
  log "Testing $project"
  out=$(mktemp)
  set +e
  # A test hung for 15 minutes fails its suite with a dump of the test host (instead of eating CI's 90 minutes).
  dotnet test "$project" -c "$CONFIGURATION" --no-build -nologo --logger "console;verbosity=normal" \
    --blame-hang-timeout 15m --blame-hang-dump-type mini 2>&1 | tee "$out"
  status=${PIPESTATUS[0]}
  set -e
  local p f
  # The summary lines of `dotnet test`: "     Passed: N" and "     Failed: N" (absent when zero).
  p=$({ grep -E '^ +Passed: +[0-9]+' "$out" || true; } | awk '{s+=$2} END {print s+0}')
  f=$({ grep -E '^ +Failed: +[0-9]+' "$out" || true; } | awk '{s+=$2} END {print s+0}')
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
  if [ "$status" -ne 0 ] || [ "$p" -eq 0 ]; then SUITES_FAILED+=("$project"); fi
  rm -f "$out"
}

cmd_test() {
  # Browser tests drive Debian's Chromium (Playwright cannot download its own browser here); the alert intake tests
  # run a real Prometheus Alertmanager; docker-compose.yml is validated by Debian's docker-compose (no engine needed)
  # and its Prometheus config run by Debian's prometheus; the cluster tests start their own ZooKeeper from zookeeperd's
  # jar (not its service); the state store contract and two-node tests start their own PostgreSQL 15 from
  # /usr/lib/postgresql/15/bin.
  ensure_apt_packages chromium prometheus-alertmanager prometheus docker-compose zookeeperd postgresql
  build
  run_suite tests/TaskLens.UnitTests
  run_suite tests/TaskLens.IntegrationTests
  run_suite tests/TaskLens.E2ETests
  echo
  echo "tests: $PASSED passed, $FAILED failed"
  if [ ${#SUITES_FAILED[@]} -gt 0 ]; then
    echo "failing suites: ${SUITES_FAILED[*]}" >&2
    exit 1
  fi
}

# Local runs accept exports without a key (open mode, loopback only) unless ingest keys are configured.
open_mode_args() {
  if [ -z "${TaskLens__Ingest__ApiKeys__0__Key:-}" ] && [ -z "${TaskLens__Ingest__OpenMode:-}" ]; then
    echo "Open mode: no ingest key, alert token or sign-in needed on loopback; data is tenant 'default' (docs/access.md)." >&2
    echo "--TaskLens:Ingest:OpenMode=true"
  fi
}

cmd_run() {
  build
  log "Starting TaskLens"
  if [ -z "${TaskLens__ClickHouse__Url:-}" ]; then
    echo "No TaskLens:ClickHouse:Url configured: TaskLens starts its own ClickHouse in ./.tasklens/clickhouse."
  fi
  echo "Listening on loopback only (TaskLens__Server__ListenAddress changes that):"
  echo "  OTLP/gRPC  localhost:4317    OTLP/HTTP  http://localhost:4318    dashboard and API  http://localhost:8080"
  exec dotnet "src/TaskLens.Server/bin/$CONFIGURATION/net10.0/TaskLens.Server.dll" --contentRoot "$ROOT" $(open_mode_args) "$@"
}

cmd_bench() {
  build
  log "Running benchmarks (BenchmarkDotNet, short job)"
  local artifacts="$ROOT/artifacts/bench"
  rm -rf "$artifacts"
  dotnet run --project tests/TaskLens.Benchmarks -c Release --no-build -- \
    --filter '*' --job short --exporters github json --artifacts "$artifacts" "$@"
  local nab="${NAB_DATA:-$ROOT/../shared/data/nab}"
  if [ -f "$nab/windows.json" ]; then
    log "Scoring anomaly detection over NAB ($nab)"
    dotnet "tests/TaskLens.Benchmarks/bin/Release/net10.0/TaskLens.Benchmarks.dll" nab "$nab" "$artifacts"
  else
    log "No NAB data at $nab (set NAB_DATA): detection accuracy is not scored in this run"
  fi
  log "Scoring alert grouping over the alert-storm corpus (tests/data/alert-storms)"
  dotnet "tests/TaskLens.Benchmarks/bin/Release/net10.0/TaskLens.Benchmarks.dll" grouping "$ROOT/tests/data/alert-storms" "$artifacts"
  log "Scoring incident briefs' likely origin over AgentSim scenarios (TaskLens in process, embedded ClickHouse, a few minutes)"
  dotnet "tests/TaskLens.Benchmarks/bin/Release/net10.0/TaskLens.Benchmarks.dll" briefs "$artifacts"
  log "Fuzzing the decoders: their property tests over 1,000,000 generated inputs (FsCheck)"
  dotnet "tests/TaskLens.Benchmarks/bin/Release/net10.0/TaskLens.Benchmarks.dll" fuzz 1000000 "$artifacts"
  log "Running the goal rollup run (one core, under a minute)"
  dotnet "tests/TaskLens.Benchmarks/bin/Release/net10.0/TaskLens.Benchmarks.dll" goals "$artifacts"
  log "Timing dashboard pages over 10 million stored spans and 100,000 goal runs (embedded ClickHouse, a few minutes)"
  dotnet "tests/TaskLens.Benchmarks/bin/Release/net10.0/TaskLens.Benchmarks.dll" dashboard \
    "src/TaskLens.Server/bin/Release/net10.0/TaskLens.Server.dll" "$artifacts"
  log "Timing trace by id over 10 million stored spans (embedded ClickHouse, a few minutes)"
  dotnet "tests/TaskLens.Benchmarks/bin/Release/net10.0/TaskLens.Benchmarks.dll" traces \
    "src/TaskLens.Server/bin/Release/net10.0/TaskLens.Server.dll" "$artifacts"
  log "Comparing the two OTLP/gRPC servers (framing vs Grpc.AspNetCore), interleaved rounds (two servers, a few minutes)"
  dotnet "tests/TaskLens.Benchmarks/bin/Release/net10.0/TaskLens.Benchmarks.dll" grpc \
    "src/TaskLens.Server/bin/Release/net10.0/TaskLens.Server.dll" 10 "$artifacts"
  log "Running the whole-system load run (embedded ClickHouse, loopback, about six minutes)"
  dotnet "tests/TaskLens.Benchmarks/bin/Release/net10.0/TaskLens.Benchmarks.dll" load \
    "src/TaskLens.Server/bin/Release/net10.0/TaskLens.Server.dll" "$artifacts"
  write_benchmark_report "$artifacts"
  local misses
  local reports=("$artifacts/nab.md" "$artifacts/grouping.md" "$artifacts/briefs.md" "$artifacts/traces.md" "$artifacts/load.md")
  misses=$(cat "${reports[@]}" 2>/dev/null | grep -c 'NOT MET' || true)
  if [ "$misses" -gt 0 ]; then
    log "Targets NOT MET: $misses (see docs/benchmarks.md):"
    cat "${reports[@]}" 2>/dev/null | grep 'NOT MET' >&2
  fi
}

# docs/benchmarks.md: the machine, then every report of this run; ratios are against the baseline of the same run.
write_benchmark_report() {
  local artifacts=$1 report=docs/benchmarks.md
  {
    echo "# Benchmarks"
    echo
    echo "Written by \`./build.sh bench\` on $(date -u +%Y-%m-%d). Absolute times vary between machines; compare the"
    echo "Ratio column (against the baseline measured in the same run) and the allocation columns."
    echo
    echo "Machine: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, .NET $(dotnet --version)."
    echo
    echo "\`SpanPipelineBenchmarks\` decodes one agent export of 5,000 spans (OTLP protobuf → SpanBatch) and then also"
    echo "encodes it as ClickHouse RowBinary; the mean divided by 5,000 is the CPU time per span of that stage."
    echo
    local file
    for file in "$artifacts"/results/*-report-github.md; do
      sed 's/^```$//' "$file"
      echo
    done
    if [ -f "$artifacts/nab.md" ]; then
      echo "## Anomaly detection over NAB"
      echo
      echo "The NAB development set (\`../shared/data/nab\`, 35 series, 55 labelled windows), scored as its README says: alerts"
      echo "no more than 3 steps apart form one event at its first point; a window is detected when an event starts inside"
      echo "it; every event outside all windows is a false positive. Split: settings are chosen by a grid on the first part"
      echo "only and reported on the second, which nothing looks at to choose. \`tasklens (production)\` is what the"
      echo "continuous monitor runs (its detector factory and its recovery after calm steps); beside it the grid's choice,"
      echo "each member alone and the rolling mean ± 3σ baseline over the previous 100 points, in the same run. Cost per"
      echo "point is process CPU time in the second of two passes (docs/detection.md)."
      echo
      cat "$artifacts/nab.md"
      echo
    fi
    echo "## Alert grouping"
    echo
    echo "The labelled alert storms (\`tests/data/alert-storms/\`, generated with fixed seeds by \`TaskLens.Benchmarks"
    echo "grouping-corpus\`, docs/alerts.md): a shop on Kubernetes told by kube-prometheus (its rules' labels and \`for:\` delays),"
    echo "node-exporter, database exporters, Grafana-managed rules, the events API and TaskLens, sent the way Alertmanager sends"
    echo "them, with resolves, flapping, slow burns, two troubles on one app and the Watchdog. Settings and rules are chosen on"
    echo "\`choose/\` only and reported on \`fresh-301/\` (\`held-out/\` and \`fresh-201/\` are shown too, labelled seen), beside the"
    echo "trivial groupers of the same run. Compression is 1 − incidents ÷ firing notifications; pairwise precision and"
    echo "recall are over distinct alerts."
    echo
    cat "$artifacts/grouping.md"
    echo
    echo "## Incident briefs: likely origin"
    echo
    echo "\`OriginEvaluation\` (docs/briefs.md#evaluation): incidents with a known origin played by AgentSim over a random"
    echo "service topology — a failing dependency, a bad deploy, an agent loop burning tokens, a throttled model provider, a"
    echo "slow database, a noisy neighbour — each with distractors on unrelated services. The spans go over OTLP through"
    echo "TaskLens's ingest into its embedded ClickHouse, the monitoring's alerts through the Alertmanager webhook into"
    echo "incidents, and the brief's evidence is read as in production. Weights are chosen by grid search on the tuning seeds"
    echo "and reported on fresh seeds fixed before they were first played, beside the baseline \"the service with the most alerts\" in the same run. Target:"
    echo "hit@1 ≥ 80% on the reported part, above the baseline. Per scenario: \`artifacts/bench/briefs-scenarios.md\`."
    echo
    cat "$artifacts/briefs.md"
    echo
    echo "## Decoder fuzzing"
    echo
    echo "\`TaskLens.Benchmarks fuzz\`: the decoders' property tests at volume (the unit tests run a few thousand inputs"
    echo "each). FsCheck generates arbitrary bytes and valid requests with bytes changed, cut short or repeated, for every"
    echo "decoder of bytes a client or the disk sends. A crash is an exception out of a decoder (target 0); a contract"
    echo "violation is an answer that breaks its contract (counts, a malformed answer without a reason)."
    echo
    cat "$artifacts/fuzz.md"
    echo
    echo "## Goal rollup"
    echo
    echo "\`GoalRollupBenchmark\`: agent goals (an \`invoke_agent\` span and its LLM and tool sub-tasks) observed by the goal"
    echo "rollup on one thread and finalized into goal runs, best of 5 rounds, beside the OTLP protobuf decode of the same"
    echo "spans in the same run; then the managed memory 1,000 open runs of 50 spans hold once their decoded batches are"
    echo "gone, as in the server; then the load run's SDK-shaped traffic: the sweep's time and allocated bytes per finalized"
    echo "run, and the memory per held span. In the load run below the rollup runs inside the server and its CPU is included."
    echo
    cat "$artifacts/goals.md"
    echo
    echo "## Dashboard pages"
    echo
    echo "\`DashboardBenchmark\`: the built server with its embedded ClickHouse holding 10 million spans (100,000 traces of 100"
    echo "spans over the last day) and 100,000 goal runs of 20 goals, made by ClickHouse with INSERT … SELECT FROM numbers(),"
    echo "plus one run of 5,000 sub-tasks and an incident from two Alertmanager alerts. Each page is fetched as a browser's"
    echo "first request (the server loads the page's data through its MediatR handlers and renders the whole page), three"
    echo "times to warm up and then 20 times one after another: time to the last byte, loopback."
    echo
    cat "$artifacts/dashboard.md"
    echo
    echo "## Trace by id"
    echo
    echo "\`TraceLookupBenchmark\` (docs/ingest.md#trace-by-id): the built server with its embedded ClickHouse."
    echo
    cat "$artifacts/traces.md"
    echo
    echo "## OTLP/gRPC: own framing vs Grpc.AspNetCore"
    echo
    echo "\`GrpcServerBenchmark\` (docs/ingest.md#grpc): which gRPC server is kept, and by how much."
    echo
    cat "$artifacts/grpc.md"
    echo
    echo "## Whole-system load run"
    echo
    echo "\`LoadBenchmark\` (docs/ingest.md#measuring-ingest); every figure and sentence below is written by the run."
    echo
    cat "$artifacts/load.md"
  } > "$report"
  log "Wrote $report"
}

cmd_demo() {
  build
  log "Starting TaskLens with the agent simulator feeding it"
  # Without flags the simulator runs steady for three minutes, and detection holds every goal to a 90% completion
  # rate, so the dashboard shows goals filling in and, once runs fail, an incident raised by TaskLens itself.
  local sim_args=("$@")
  [ ${#sim_args[@]} -eq 0 ] && sim_args=(--mode steady --rate 1 --duration 180)
  # With sign-in, as a team runs it: an admin whose password is made once and kept in .tasklens/demo-admin (the first
  # admin is created only while no user exists), and an ingest key for the simulator. TaskLens__Ingest__OpenMode=true
  # keeps the demo in open mode instead.
  local access_args=()
  if [ "${TaskLens__Ingest__OpenMode:-}" = "true" ]; then
    access_args=($(open_mode_args))
  else
    mkdir -p .tasklens && chmod 700 .tasklens
    [ -s .tasklens/demo-admin ] || (umask 077; head -c 18 /dev/urandom | base64 | tr '+/' '-_' > .tasklens/demo-admin)
    local password key
    password=$(cat .tasklens/demo-admin)
    key=${TaskLens__Ingest__ApiKeys__0__Key:-demo-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}
    access_args=(--TaskLens:Ingest:OpenMode=false --TaskLens:Ingest:ApiKeys:0:Key="$key" --TaskLens:Ingest:ApiKeys:0:Tenant=default
      --TaskLens:Access:FirstAdmin:Name=admin --TaskLens:Access:FirstAdmin:Password="$password")
    sim_args+=(--key "$key")
  fi
  dotnet "src/TaskLens.Server/bin/$CONFIGURATION/net10.0/TaskLens.Server.dll" --contentRoot "$ROOT" "${access_args[@]}" \
    --TaskLens:Detection:Limits:0:Goal='*' --TaskLens:Detection:Limits:0:MinCompletionRate=0.9 &
  local server=$!
  # Expanded now: the trap may run after this function's locals are gone (set -u would stop it there).
  trap "kill $server 2>/dev/null; wait $server 2>/dev/null" EXIT INT TERM
  local i
  for i in $(seq 1 120); do
    curl -fsS http://127.0.0.1:8080/healthz >/dev/null 2>&1 && break
    sleep 1
  done
  echo "Dashboard: http://127.0.0.1:8080/ (goals appear as runs finish; an incident once a goal's completion rate drops)"
  [ -n "${password:-}" ] && echo "Sign in as admin with the password in .tasklens/demo-admin: $password"
  dotnet "collectors/TaskLens.AgentSim/bin/$CONFIGURATION/net10.0/TaskLens.AgentSim.dll" "${sim_args[@]}"
  echo "TaskLens keeps running: dashboard http://127.0.0.1:8080/, API http://127.0.0.1:8080/api/services. Ctrl-C stops it."
  wait $server
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  test) shift; cmd_test "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  demo) shift; cmd_demo "$@" ;;
  *)
    echo "usage: ./build.sh run | test | bench | demo" >&2
    exit 2
    ;;
esac
