export const TENANTS: readonly string[] = ['ACME', 'Globex', 'Initech'];
