# Sourced by the scripts beside it: run_python runs the project's Python, the
# .venv one when there is one, so scripts work from cron and from a shell alike.
# The measuring tools in scripts/benchmarks are not part of the installed
# package; they are found through PYTHONPATH.
project=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
PYTHONPATH="$project/scripts${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH

run_python() {
    if [ -x "$project/.venv/bin/python" ]; then
        exec "$project/.venv/bin/python" "$@"
    fi
    if python3 -c "import indexer" 2>/dev/null; then
        exec python3 "$@"
    fi
    echo "$(basename -- "$0"): newsfacet is not installed; run 'make install' in $project first" >&2
    exit 127
}
