package dev.runeforge.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay to the shared PostgreSQL that a test can cut (every connection dropped, new ones refused) and mend
 * again on the same port: a database outage for one service under test, without touching the server others use.
 */
final class TcpCut implements AutoCloseable {
    private final int targetPort;
    private final int port;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;

    TcpCut(int targetPort) throws IOException {
        this.targetPort = targetPort;
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.port = s.getLocalPort();
        listen(s);
    }

    int port() {
        return port;
    }

    private void listen(ServerSocket s) {
        server = s;
        Thread.ofVirtual().start(() -> {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    open.add(client);
                    open.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    // closed, or the target refused: the client sees its connection drop
                }
            }
        });
    }

    private void pump(Socket from, Socket to) {
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // cut
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    /** Drops every connection and refuses new ones. */
    void cut() {
        closeQuietly(server);
        open.forEach(TcpCut::closeQuietly);
        open.clear();
    }

    /** Accepts connections again, on the same port. */
    void mend() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        listen(s);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        cut();
    }
}
