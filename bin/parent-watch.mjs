// Preloaded (`--import`) into the CLI child that bin/spatten-dse.js starts on its tsx fallback
// path: when the launcher dies (even by `kill -9`) the IPC channel closes, and the child sends
// itself SIGTERM, so no orphan keeps computing. The channel is unref'd so it never keeps the child
// alive by itself.
if (process.channel) {
  process.channel.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
