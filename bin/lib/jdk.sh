# Sourced by bin/tsproc, bin/test (which .ci/run runs) and bin/bench-import: exports JAVA_HOME as a JDK 25 or fails with one sentence.
# The version comes from the JDK's release file, not from starting a JVM: this runs on every start of bin/tsproc.
is_jdk25() {
  [[ -x "$1/bin/java" && -x "$1/bin/javac" ]] && grep -q '^JAVA_VERSION="25[."]' "$1/release" 2>/dev/null
}
find_jdk25() {
  if [[ -n "${JAVA_HOME:-}" ]] && is_jdk25 "$JAVA_HOME"; then
    echo "$JAVA_HOME"; return
  fi
  local dir
  for dir in /usr/lib/jvm/*25*; do
    if is_jdk25 "$dir"; then echo "$dir"; return; fi
  done
  return 1
}
if ! JAVA_HOME="$(find_jdk25)"; then
  echo "tsproc: no JDK 25 found; set JAVA_HOME to a JDK 25 or install one under /usr/lib/jvm." >&2
  exit 1
fi
export JAVA_HOME
