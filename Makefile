# The two commands a newcomer needs, plus the build.
.PHONY: demo check test test-fast build bench deb apt-repo dist clean

demo:   ## build the module, start a private Prosody, log in with good and bad tokens
	scripts/demo.sh

check:  ## the quick loop: cargo fmt --check, clippy -D warnings, cargo test (binding's unit tests too); under 2 minutes warm
	scripts/check.sh

test:   ## every stage (what CI runs); scripts/test.sh --list names them, --only NAME... runs some
	scripts/test.sh

test-fast:  ## the fast tier: no package build, chroot, emulation, fuzzing or long differential; under 4 minutes warm
	scripts/test.sh --tier fast

build:  ## build/<flavour>/luajwtjitsi.so for lua51 lua52 lua53 lua54 luajit
	scripts/build.sh

bench:  ## operations per second under Lua 5.4 vs Prosody's util.jwt and the raw limits (docs/performance.md)
	scripts/bench.sh $(BENCH_ARGS)

deb:    ## build/deb/lua-luajwtjitsi_<version>_{amd64,arm64}.deb (glibc 2.28 builds; installs its tools first)
	scripts/package-deb.sh

apt-repo: ## build/apt-repo/: a signed apt repository of build/deb's packages; sign with APT_REPO_KEY=<gpg key id> (docs/install.md)
	scripts/apt-repo.sh -k "$(APT_REPO_KEY)"

dist:   ## build/dist/: binary tarballs (x86_64, aarch64, both), source tarball, .debs, rockspecs and .src.rocks, SHA256SUMS
	scripts/dist.sh

clean:
	rm -rf build target
