# Sourced by bin/tsproc and bin/test (which .ci/run runs): exports JAVA_HOME as a JDK 25 or fails with one sentence.
find_jdk25() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/javac" ]] \
     && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
    echo "$JAVA_HOME"; return
  fi
  local dir
  for dir in /usr/lib/jvm/*25*; do
    if [[ -x "$dir/bin/java" && -x "$dir/bin/javac" ]]; then echo "$dir"; return; fi
  done
  return 1
}
if ! JAVA_HOME="$(find_jdk25)"; then
  echo "tsproc: no JDK 25 found; set JAVA_HOME to a JDK 25 or install one under /usr/lib/jvm." >&2
  exit 1
fi
export JAVA_HOME
