/**
 * The data model, the first stage of the data path: the columns a store holds
 * ({@link dev.tsproc.data.Column}), the dictionary of series names and the
 * {@link dev.tsproc.data.BatchView} through which a job reads its batch's slice of each
 * column without a copy. It uses no other stage; every other stage uses it.
 */
package dev.tsproc.data;
