import express from 'express';

// The same answer through Express with a JSON body parser: the ceiling for an Express API.
const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '16kb' }));
app.post('/api/v1/tickets/:ticketId/issue-requests', (_req, res) => {
  res.status(202).json({ requestId: '1-1-00000000-0000000000000000', status: 'PENDING' });
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
