// aedes on 127.0.0.1:PORT (argv[2]), in-memory persistence; stops on SIGTERM.
// A subscription to kit-denied/# is refused (SUBACK 0x80).
'use strict'
const aedes = require('aedes')({
  authorizeSubscribe (client, sub, done) {
    done(null, sub.topic.startsWith('kit-denied/') ? null : sub)
  }
})
const server = require('net').createServer(aedes.handle)
const port = Number(process.argv[2])
server.listen(port, '127.0.0.1', () => console.log(`aedes ${require('aedes/package.json').version} listening on 127.0.0.1:${port}`))
process.on('SIGTERM', () => { server.close(); aedes.close(() => process.exit(0)) })
