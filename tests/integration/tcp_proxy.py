# A TCP relay for test_faults.sh: stopping it (SIGSTOP) leaves a peer whose kernel still
# acknowledges probes but which reads nothing: the stall no keepalive detects.
# Usage: tcp_proxy.py LISTEN_PORT TARGET_PORT (both on 127.0.0.1)
import socket, sys, threading
lport, rport = int(sys.argv[1]), int(sys.argv[2])
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); ls.bind(('127.0.0.1', lport)); ls.listen(8)
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d: break
            b.sendall(d)
    except Exception: pass
    for s in (a, b):
        try: s.shutdown(socket.SHUT_RDWR)
        except Exception: pass
while True:
    c, _ = ls.accept()
    s = socket.create_connection(('127.0.0.1', rport))
    threading.Thread(target=pipe, args=(c, s), daemon=True).start()
    threading.Thread(target=pipe, args=(s, c), daemon=True).start()
