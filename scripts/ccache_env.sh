# Sourced by setup.sh, test.sh and fuzz.sh: when ccache is installed (setup.sh
# --tests installs it), compile through it, with paths taken relative to the
# checkout, so a rebuild or a fresh clone in another directory reuses the
# objects compiled before. Sets the array ccache_launcher for cmake.
ccache_launcher=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
  ccache_launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
