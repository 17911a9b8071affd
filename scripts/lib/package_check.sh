# shellcheck shell=bash
# Tool checks for scripts/package. Source it; it defines functions and changes nothing until called.
# It uses bash built-ins only until a tool is known to be there, so it still reports clearly when
# PATH lacks almost everything.

package_say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
package_die() { printf 'scripts/package: error: %s\n' "$*" >&2; exit 1; }

# The tools scripts/package runs, each with the Debian package that provides it.
PACKAGE_TOOLS=(
    "ldd:libc-bin"
    "readelf:binutils"
    "patchelf:patchelf"
    "zip:zip"
    "find:findutils"
    "sort:coreutils"
    "cp:coreutils"
    "touch:coreutils"
    "stat:coreutils"
    "mktemp:coreutils"
)

# Puts the Swift toolchain on PATH when it is installed in /opt/swift but not on PATH.
package_find_swift() {
    command -v swift >/dev/null 2>&1 && return 0
    if [ -x /opt/swift/usr/bin/swift ]; then
        PATH="/opt/swift/usr/bin:$PATH"
        return 0
    fi
    package_die "missing tool: swift (the Swift 6 toolchain; it is not a Debian package: install it from swift.org, e.g. into /opt/swift, and put /opt/swift/usr/bin on PATH)"
}

# package_missing_tools: prints "tool:debian-package" for each tool not on PATH.
package_missing_tools() {
    local entry
    for entry in "${PACKAGE_TOOLS[@]}"; do
        command -v "${entry%%:*}" >/dev/null 2>&1 || printf '%s\n' "$entry"
    done
}

# The C libraries the build links (pkg-config name:Debian package), checked only when building.
PACKAGE_BUILD_LIBRARIES=(
    "libcurl:libcurl4-openssl-dev"
    "libcrypto:libssl-dev"
    "zlib:zlib1g-dev"
)

# Tools only the build needs (scripts/lib/curl_static_libs.py compiles the feature stubs).
PACKAGE_BUILD_TOOLS=(
    "python3:python3"
    "cc:gcc"
    "ar:binutils"
)

# package_missing_build_libraries: prints "pkg-config-name:debian-package" for each library
# pkg-config cannot find (all of them, with pkg-config itself, when pkg-config is missing).
package_missing_build_libraries() {
    local entry
    if ! command -v pkg-config >/dev/null 2>&1; then
        printf '%s\n' "pkg-config:pkg-config" "${PACKAGE_BUILD_LIBRARIES[@]}"
        return 0
    fi
    for entry in "${PACKAGE_BUILD_LIBRARIES[@]}"; do
        pkg-config --exists "${entry%%:*}" || printf '%s\n' "$entry"
    done
    for entry in "${PACKAGE_BUILD_TOOLS[@]}"; do
        command -v "${entry%%:*}" >/dev/null 2>&1 || printf '%s\n' "$entry"
    done
}

# package_require_tools INSTALL [BUILD]: checks every tool (and, when BUILD is 1, the libraries the
# build links); when some are missing, installs their Debian packages with apt-get if INSTALL is 1
# and we are root, and fails naming each one and its package otherwise.
package_require_tools() {
    local install="$1" build="${2:-0}" entry
    local missing=() names=() packages=()
    package_missing_all() {
        package_missing_tools
        [ "$build" != 1 ] || package_missing_build_libraries
    }
    while IFS= read -r entry; do
        [ -n "$entry" ] && missing+=("$entry")
    done < <(package_missing_all)
    [ ${#missing[@]} -eq 0 ] && return 0
    for entry in "${missing[@]}"; do
        names+=("${entry%%:*} (Debian package: ${entry#*:})")
        case " ${packages[*]} " in *" ${entry#*:} "*) ;; *) packages+=("${entry#*:}") ;; esac
    done
    local what
    what="$(IFS=,; printf '%s' "${names[*]}")"
    what="${what//,/, }"
    if [ "$install" != 1 ]; then
        package_die "missing tool(s): $what. Install with: apt-get install ${packages[*]} (--no-install only checks)"
    fi
    if [ "${EUID:-1}" -ne 0 ]; then
        package_die "missing tool(s): $what. Run as root to have them installed, or: sudo apt-get install ${packages[*]}"
    fi
    command -v apt-get >/dev/null 2>&1 || package_die "missing tool(s): $what, and apt-get is not available to install ${packages[*]}"
    package_say "installing ${packages[*]} (apt-get)"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null \
            || package_die "apt-get could not install ${packages[*]}"
    fi
    hash -r
    missing=()
    while IFS= read -r entry; do
        [ -n "$entry" ] && missing+=("${entry%%:*}")
    done < <(package_missing_all)
    [ ${#missing[@]} -eq 0 ] || package_die "still missing after apt-get install: ${missing[*]}"
}
