// The compiled addon; a missing build (no compiler or libraries at install time) throws here, and vaelab
// falls back to wasm with one log line saying how to build it.
module.exports = require('./build/Release/vaelab_native.node');
