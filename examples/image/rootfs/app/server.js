// A tiny HTTP service for Bulwark's demo image.
const http = require("http");

http
  .createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(200).end("ok\n");
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end("hello from the Bulwark example\n");
  })
  .listen(3000);
