public enum FnLambdaPlaceholder {}
