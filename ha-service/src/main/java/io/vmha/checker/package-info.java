/**
 * Independent oracle for "never run one VM twice": reads only the sim VMs' disk files, trusts no vmha
 * bookkeeping.
 */
package io.vmha.checker;
