import { createServer } from 'node:http';

// The ceiling of this machine for an HTTP answer: read the body, answer 202, nothing else.
const body = Buffer.from('{"requestId":"1-1-00000000-0000000000000000","status":"PENDING"}');
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(202, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
