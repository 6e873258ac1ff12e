import { Construct } from 'constructs';

/** Placeholder replaced by the WriteBuffer construct. */
export class WriteBuffer extends Construct {}
