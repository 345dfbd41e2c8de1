# A TCP relay for test_faults.sh: after STALL_AFTER bytes from the client on a
# connection it stops reading that direction (the socket stays open), so the client's
# sends fill the buffers and block while the peer's kernel still acknowledges probes:
# the stall no keepalive detects. Without STALL_AFTER it relays everything.
# Usage: tcp_proxy.py LISTEN_PORT TARGET_PORT [STALL_AFTER] (both ports on 127.0.0.1)
import socket, sys, threading, time
lport, rport = int(sys.argv[1]), int(sys.argv[2])
stall_after = int(sys.argv[3]) if len(sys.argv) > 3 else None
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
# A fixed receive buffer (inherited by accepted sockets, and no autotuning): otherwise it
# can grow to tcp_rmem's maximum (32 MB here) and swallow the rest of the COPY, so the
# client ends up waiting for the server's reply instead of blocking in a send.
ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 262144)
ls.bind(('127.0.0.1', lport)); ls.listen(8)
def pipe(a, b, limit):
    sent = 0
    try:
        while True:
            if limit is not None and sent >= limit:
                while True: time.sleep(3600)
            d = a.recv(65536)
            if not d: break
            b.sendall(d)
            sent += len(d)
    except Exception: pass
    for s in (a, b):
        try: s.shutdown(socket.SHUT_RDWR)
        except Exception: pass
while True:
    c, _ = ls.accept()
    s = socket.create_connection(('127.0.0.1', rport))
    threading.Thread(target=pipe, args=(c, s, stall_after), daemon=True).start()
    threading.Thread(target=pipe, args=(s, c, None), daemon=True).start()
