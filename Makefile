# The two commands a newcomer needs, plus the build.
.PHONY: demo test build clean

demo:   ## build the module, start a private Prosody, log in with good and bad tokens
	scripts/demo.sh

test:   ## every test: lints, Rust core and vectors, busted on five Lua runtimes, PyJWT interop, Prosody
	scripts/test.sh

build:  ## build/<flavour>/luajwtjitsi.so for lua51 lua52 lua53 lua54 luajit
	scripts/build.sh

clean:
	rm -rf build target
