// Microsoft.AspNetCore.Mvc action results an HTTP function may return (IActionResult): a status
// code, and a value sent as JSON or content sent as it is. The worker turns them into the response.
namespace Microsoft.AspNetCore.Mvc
{
    public interface IActionResult { }

    public abstract class ActionResult : IActionResult { }

    public class StatusCodeResult : ActionResult
    {
        public StatusCodeResult(int statusCode) { StatusCode = statusCode; }
        public int StatusCode { get; private set; }
    }

    public class OkResult : StatusCodeResult { public OkResult() : base(200) { } }
    public class NoContentResult : StatusCodeResult { public NoContentResult() : base(204) { } }
    public class BadRequestResult : StatusCodeResult { public BadRequestResult() : base(400) { } }
    public class UnauthorizedResult : StatusCodeResult { public UnauthorizedResult() : base(401) { } }
    public class NotFoundResult : StatusCodeResult { public NotFoundResult() : base(404) { } }

    // Value is sent as JSON (a string as text); StatusCode null means 200.
    public class ObjectResult : ActionResult
    {
        public ObjectResult(object value) { Value = value; }
        public object Value { get; set; }
        public int? StatusCode { get; set; }
    }

    public class OkObjectResult : ObjectResult { public OkObjectResult(object value) : base(value) { StatusCode = 200; } }
    public class BadRequestObjectResult : ObjectResult { public BadRequestObjectResult(object error) : base(error) { StatusCode = 400; } }
    public class NotFoundObjectResult : ObjectResult { public NotFoundObjectResult(object value) : base(value) { StatusCode = 404; } }
    public class UnauthorizedObjectResult : ObjectResult { public UnauthorizedObjectResult(object value) : base(value) { StatusCode = 401; } }

    public class JsonResult : ActionResult
    {
        public JsonResult(object value) { Value = value; }
        public object Value { get; set; }
        public int? StatusCode { get; set; }
        public string ContentType { get; set; }
    }

    public class ContentResult : ActionResult
    {
        public string Content { get; set; }
        public string ContentType { get; set; }
        public int? StatusCode { get; set; }
    }
}
