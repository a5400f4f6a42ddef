/**
 * What a run tells about itself: the events of each batch, the listeners that follow them, the
 * {@link dev.tsproc.observe.RunMonitor} behind progress and the status endpoint, and the
 * {@link dev.tsproc.observe.Timeline} saved as JSON. The executors emit these events, so it
 * sits left of them: it may use {@code job} and the stages before it, never {@code exec}.
 */
package dev.tsproc.observe;
