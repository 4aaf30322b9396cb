/**
 * The roles a token may carry. Kept free of imports: the configuration reads it before tracing
 * starts, and tracing can only instrument modules (graphql among them) loaded after it.
 */
export const ROLES = ['customer', 'brand', 'staff', 'marketing'] as const;
export type Role = (typeof ROLES)[number];
