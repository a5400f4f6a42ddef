/**
 * Worker JVMs: the framed, versioned protocol between coordinator and worker (no Java
 * serialization), the worker's main loop and the coordinator's handle on a worker process. A
 * worker needs the protocol, the store and the job, never the coordinator: this package may
 * use {@code observe}, {@code plan}, {@code job}, {@code store}, {@code data} and
 * {@code concurrent}, and
 * only {@code exec} uses it. docs/PROCESSES.md draws the protocol.
 */
package dev.tsproc.exec.process;
