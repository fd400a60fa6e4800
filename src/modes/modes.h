/* The modes: each parses its options, calls the socket module and prints
   through the output layer.  Each returns an exit status. */
#ifndef SOCKIT_MODES_H
#define SOCKIT_MODES_H

int mode_resolve(int argc, char **argv);
int mode_listen(int argc, char **argv);
int mode_connect(int argc, char **argv);
int mode_sockopt(int argc, char **argv);
int mode_udp_send(int argc, char **argv);
int mode_udp_recv(int argc, char **argv);

#endif
