# Sourced by the set-up scripts: one line per step, with the time since the script began,
# so a first install that takes a minute or two never sits silent. Lines go to stderr.
#   source scripts/progress.sh; step "installing X"
_progress_start=${_progress_start:-$SECONDS}
step() { printf '%s [%3d s]: %s\n' "${PROGRESS_NAME:-$(basename "$0")}" $((SECONDS - _progress_start)) "$*" >&2; }

# Runs uv (or any installer) keeping its summary lines ("Resolved ... in", "Prepared",
# "Installed") and dropping the one line per package; its exit status is kept.
summarised() { { "$@" 2>&1; } | { grep -v '^ [-+~] ' || true; } >&2; }
