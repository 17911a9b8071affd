# shellcheck shell=bash
# Shared set-up for scripts/demo, scripts/test, scripts/package and scripts/bench: installs what is
# missing (Debian/Ubuntu packages with apt, Python packages with pip) and finds the toolchain.
# Source it; it defines functions and changes nothing until they are called.

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root to run: $* (install it by hand, or run as root)"
    fi
}

# ensure_apt PACKAGE...: installs the Debian packages that are not installed yet.
ensure_apt() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get: install them with your package manager"
    say "installing ${missing[*]} (apt)"
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    fi
}

# ensure_pip "import.name==pip-spec"...: installs the Python packages whose module cannot be imported.
ensure_pip() {
    local missing=()
    for pair in "$@"; do
        local module="${pair%%==*}" spec="${pair#*==}"
        python3 -c "import ${module}" >/dev/null 2>&1 || missing+=("$spec")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing ${missing[*]} (pip)"
    python3 -m pip install --quiet --disable-pip-version-check "${missing[@]}" \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "${missing[@]}"
}

# The build and test dependencies: the two C libraries, the packaging tools, moto, the template checkers.
ensure_build_dependencies() {
    command -v swift >/dev/null 2>&1 || die "swift is not on PATH (Swift 6 toolchain required; see https://www.swift.org/install/)"
    command -v python3 >/dev/null 2>&1 || ensure_apt python3 python3-pip
    ensure_apt libcurl4-openssl-dev libssl-dev zlib1g-dev pkg-config gcc binutils zip unzip patchelf openssl ca-certificates
    ensure_pip "moto.server==moto[server]" "boto3==boto3" "cryptography==cryptography"
}

ensure_template_tools() {
    ensure_pip "cfnlint==cfn-lint" "samtranslator==aws-sam-translator"
}
